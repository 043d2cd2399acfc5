/**
 * @module `npm run bench -- digit`: latency of reading one 280x280 PNG (preprocessing plus
 * prediction) and the t10k accuracy of both digit models. Both models also read synthetic drawn
 * digits (off-centre, thin, tilted, thick), once with the full preprocessing and once with the
 * whole image resized, which shows what the CNN and the preprocessing each add.
 */
import { existsSync } from 'node:fs';
import type { DigitModelName } from '../../src/core/contracts.ts';
import { resolveServingModelDir } from '../../src/models/locate.ts';
import { resolveIdxPair } from '../../src/vision/data.ts';
import { decodeInk } from '../../src/vision/decode.ts';
import {
  type DigitModel,
  loadDigitModel,
  prepareDigits,
  readDigits,
} from '../../src/vision/index.ts';
import { resampleArea } from '../../src/vision/mnist-format.ts';
import { type DrawOptions, drawDigits } from '../../src/vision/synthetic.ts';
import { evaluateDigitModel } from '../../src/vision/train.ts';
import type { BenchSection } from './index.ts';

const MODELS: DigitModelName[] = ['digits-cnn', 'digits-mlp'];
const LATENCY_RUNS = 200;

/** Ways people draw that MNIST's centred, medium-stroke digits do not cover. */
const VARIANTS: { name: string; options: DrawOptions }[] = [
  { name: 'centred', options: {} },
  {
    name: 'off-centre, small',
    options: { width: 400, height: 400, box: { x: 12, y: 200, size: 150 } },
  },
  { name: 'thin (1 px on 1000x1000)', options: { width: 1000, height: 1000, stroke: 1 } },
  { name: 'tilted +15°', options: { rotate: 15 } },
  { name: 'tilted -15°', options: { rotate: -15 } },
  { name: 'thick marker', options: { stroke: 34 } },
  { name: 'wide canvas 600x200', options: { width: 600, height: 200 } },
  { name: 'unsteady hand', options: { jitter: 7, seed: 11 } },
  {
    name: 'unsteady, thin, tilted, off-centre',
    options: {
      jitter: 7,
      seed: 12,
      rotate: -12,
      stroke: 4,
      width: 500,
      height: 500,
      box: { x: 300, y: 20, size: 180 },
    },
  },
];

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];
}

async function measureLatency(
  model: DigitModel,
): Promise<{ p50: number; p95: number; mean: number }> {
  const png = await drawDigits('5', { width: 280, height: 280 });
  for (let i = 0; i < 20; i += 1) await readDigits(png, model);
  const times: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i += 1) {
    const started = performance.now();
    await readDigits(png, model);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), mean };
}

/** Reads the image as MNIST's format would not: the whole image squeezed into 28x28. */
async function naiveInput(png: Uint8Array): Promise<Float32Array> {
  const { ink, width, height } = await decodeInk(png);
  return resampleArea(ink, width, height, 28, 28);
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i] > values[best]) best = i;
  return best;
}

async function drawnAccuracy(models: Map<DigitModelName, DigitModel>) {
  const rows: { variant: string; model: DigitModelName; preprocessed: number; naive: number }[] =
    [];
  for (const variant of VARIANTS) {
    const images = await Promise.all(
      Array.from({ length: 10 }, (_, digit) => drawDigits(String(digit), variant.options)),
    );
    const prepared = await Promise.all(
      images.map(async (png) => (await prepareDigits(png))[0].input),
    );
    const naive = await Promise.all(images.map(naiveInput));
    for (const [name, model] of models) {
      const full = model.predict(prepared).filter((p, digit) => argmax(p) === digit).length;
      const plain = model.predict(naive).filter((p, digit) => argmax(p) === digit).length;
      rows.push({ variant: variant.name, model: name, preprocessed: full / 10, naive: plain / 10 });
    }
  }
  return rows;
}

const pct = (value: number | undefined) =>
  value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`;

export default async function digitBenchmark(): Promise<BenchSection> {
  const models = new Map<DigitModelName, DigitModel>();
  const t10k: Partial<Record<DigitModelName, number>> = {};
  const files = resolveIdxPair();
  const haveTest = existsSync(files.images) && existsSync(files.labels);
  for (const name of MODELS) {
    const dir = await resolveServingModelDir(name);
    models.set(name, await loadDigitModel(dir));
    if (haveTest) t10k[name] = (await evaluateDigitModel(name, dir, {})).accuracy;
  }
  const latency = await measureLatency(models.get('digits-cnn')!);
  const mlpLatency = await measureLatency(models.get('digits-mlp')!);
  const drawn = await drawnAccuracy(models);
  for (const model of models.values()) model.dispose();

  const mean = (name: DigitModelName, key: 'preprocessed' | 'naive') => {
    const selected = drawn.filter((row) => row.model === name);
    return selected.reduce((sum, row) => sum + row[key], 0) / selected.length;
  };
  const lines = [
    `Reading one 280x280 PNG (decode, preprocess, predict), ${LATENCY_RUNS} runs after 20 warm-up runs:`,
    '',
    '| model | p50 | p95 | mean |',
    '| --- | --- | --- | --- |',
    `| digits-cnn | ${latency.p50.toFixed(2)} ms | ${latency.p95.toFixed(2)} ms | ${latency.mean.toFixed(2)} ms |`,
    `| digits-mlp | ${mlpLatency.p50.toFixed(2)} ms | ${mlpLatency.p95.toFixed(2)} ms | ${mlpLatency.mean.toFixed(2)} ms |`,
    '',
    'Accuracy: MNIST t10k (10,000 digits) and 90 synthetic drawn digits (10 per variant below), ' +
      'read with the full preprocessing and with the whole image resized to 28x28. The seminar ' +
      "MLP's reference on t10k is 89.3% (PyTorch).",
    '',
    '| model | t10k | drawn, preprocessed | drawn, whole image resized |',
    '| --- | --- | --- | --- |',
    ...MODELS.map(
      (name) =>
        `| ${name} | ${haveTest ? `${(t10k[name]! * 100).toFixed(2)}%` : 'n/a (t10k missing)'} | ` +
        `${pct(mean(name, 'preprocessed'))} | ${pct(mean(name, 'naive'))} |`,
    ),
    '',
    '| drawn variant | CNN preprocessed | MLP preprocessed | CNN whole image | MLP whole image |',
    '| --- | --- | --- | --- | --- |',
    ...VARIANTS.map((variant) => {
      const row = (name: DigitModelName) =>
        drawn.find((entry) => entry.variant === variant.name && entry.model === name)!;
      const cnn = row('digits-cnn');
      const mlp = row('digits-mlp');
      return `| ${variant.name} | ${pct(cnn.preprocessed)} | ${pct(mlp.preprocessed)} | ${pct(cnn.naive)} | ${pct(mlp.naive)} |`;
    }),
  ];
  return {
    title: 'Digit reading',
    markdown: lines.join('\n'),
    data: { latency: { cnn: latency, mlp: mlpLatency }, t10k, drawn },
  };
}

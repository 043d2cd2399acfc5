/**
 * @module `npm run bench -- memory [--count=10000]`: RSS, V8 heap and live TensorFlow.js tensors
 * of the model host before and after `count` predictions (English and Korean reviews, drawn
 * digits, in turn). The host serves the shipped models in this process; the start sample is taken
 * after a warm-up of 300 predictions, and every sample follows a forced garbage collection.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getConfig } from '../../src/core/config.ts';
import { initTf } from '../../src/core/tf.ts';
import { ModelHost } from '../../src/models/host.ts';
import { ModelRegistry } from '../../src/models/registry.ts';
import { createDefaultRuntime } from '../../src/models/runtime.ts';
import { closeKoreanAnalyzer } from '../../src/nlp/index.ts';
import {
  loadWorkload,
  mebibytes,
  relativeChange,
  sampleMemory,
  type MemorySample,
} from '../../test/soak/workload.ts';
import type { BenchSection } from './index.ts';

const WARM_UP = 300;
const SAMPLES = 10;

function countOption(args: string[]): number {
  const value = args.find((arg) => arg.startsWith('--count='))?.slice('--count='.length);
  const count = value === undefined ? 10_000 : Number(value);
  if (!Number.isInteger(count) || count < SAMPLES) {
    throw new Error(`--count must be an integer of at least ${SAMPLES}; got "${value}"`);
  }
  return count;
}

export default async function memoryBenchmark(args: string[]): Promise<BenchSection> {
  const count = countOption(args);
  const config = getConfig();
  await initTf(config.TF_BACKEND);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-bench-memory-'));
  const registry = new ModelRegistry({ modelsDir: config.modelsDir, dataDir });
  const host = new ModelHost({ registry, runtime: createDefaultRuntime() });
  try {
    await host.start();
    const loaded = new Set(host.describeModels().map((model) => model.name));
    const workload = await loadWorkload();
    const kinds: ('en' | 'ko' | 'digit')[] = [];
    if (loaded.has('sentiment-en')) kinds.push('en');
    if (loaded.has('sentiment-ko')) kinds.push('ko');
    if (loaded.has('digits-mlp') || loaded.has('digits-cnn')) kinds.push('digit');
    if (kinds.length === 0) throw new Error(`No model is installed under ${config.modelsDir}`);

    const predict = async (i: number) => {
      const kind = kinds[i % kinds.length];
      if (kind === 'digit') {
        await host.readDigits(workload.digits[i % workload.digits.length], { debugImage: true });
      } else {
        const texts = kind === 'en' ? workload.english : workload.korean;
        await host.classifySentiment(texts[i % texts.length], { lang: kind });
      }
    };
    const liveTensors = () => tf.memory().numTensors;
    for (let i = 0; i < WARM_UP; i += 1) await predict(i);
    const samples: (MemorySample & { predictions: number })[] = [
      { predictions: 0, ...(await sampleMemory(liveTensors)) },
    ];
    const started = performance.now();
    for (let i = 0; i < count; i += 1) {
      await predict(WARM_UP + i);
      if ((i + 1) % Math.floor(count / SAMPLES) === 0 || i + 1 === count) {
        if (samples.at(-1)?.predictions !== i + 1) {
          samples.push({ predictions: i + 1, ...(await sampleMemory(liveTensors)) });
        }
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const first = samples[0];
    const last = samples.at(-1) as (typeof samples)[number];
    const rows = samples.map(
      (sample) =>
        `| ${sample.predictions.toLocaleString('en-US')} | ${mebibytes(sample.rssBytes)} | ` +
        `${mebibytes(sample.heapUsedBytes)} | ${sample.liveTensors} |`,
    );
    const rssChange = relativeChange(first.rssBytes, last.rssBytes);
    const markdown = [
      `${count.toLocaleString('en-US')} predictions in turn over ${kinds.join(', ')} ` +
        `(models: ${[...loaded].join(', ')}), after ${WARM_UP} warm-up predictions, in ` +
        `${seconds.toFixed(1)} s. Each sample follows a forced garbage collection.`,
      '',
      '| predictions | RSS MiB | V8 heap used MiB | live tensors |',
      '| ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      `RSS change from the first to the last sample: ${(rssChange * 100).toFixed(2)}% ` +
        `(target within 5%). Live tensors: ${first.liveTensors} → ${last.liveTensors}.`,
    ].join('\n');
    return {
      title: 'Memory after 10,000 predictions',
      markdown,
      data: { count, kinds, seconds, samples, rssChange },
    };
  } finally {
    host.close();
    await closeKoreanAnalyzer();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

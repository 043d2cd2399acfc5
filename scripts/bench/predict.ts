/**
 * @module `npm run bench -- predict`: end-to-end sentiment latency of the serving models
 * (normalize, tokenize, CNN + n-gram ensemble): p50 and p95 of single reviews, and the throughput
 * of batches of 64. Uses the first reviews of each test split.
 */
import { existsSync } from 'node:fs';
import { getConfig } from '../../src/core/config.ts';
import { initTf } from '../../src/core/tf.ts';
import { resolveServingModelDir } from '../../src/models/locate.ts';
import {
  classifySentiment,
  classifySentimentBatch,
  loadSentimentModel,
  type SentimentModel,
} from '../../src/nlp/sentiment/index.ts';
import { loadImdb, loadNsmc } from '../../src/training/datasets/index.ts';
import type { BenchSection } from './index.ts';

const SINGLE_COUNT = 300;
const BATCH_TEXTS = 3_200;
const BATCH_SIZE = 64;

interface LatencyRun {
  lang: 'ko' | 'en';
  version: string;
  p50Ms: number;
  p95Ms: number;
  batchedPerSecond: number;
  tensorsLeaked: number;
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];
}

async function measure(
  lang: 'ko' | 'en',
  model: SentimentModel,
  texts: string[],
): Promise<LatencyRun> {
  const { tf } = await initTf();
  const models = { [lang]: model };
  // Warm-up: starts the Korean analyzer and compiles the wasm kernels for common shapes.
  for (const text of texts.slice(0, 20)) await classifySentiment(text, models, { lang });
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (const text of texts.slice(0, SINGLE_COUNT)) {
    const start = performance.now();
    await classifySentiment(text, models, { lang });
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const batchTexts = texts.slice(0, BATCH_TEXTS);
  const start = performance.now();
  for (let i = 0; i < batchTexts.length; i += BATCH_SIZE) {
    await classifySentimentBatch(batchTexts.slice(i, i + BATCH_SIZE), models, { lang });
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    lang,
    version: model.version,
    p50Ms: percentile(times, 0.5),
    p95Ms: percentile(times, 0.95),
    batchedPerSecond: batchTexts.length / seconds,
    tensorsLeaked: tf.memory().numTensors - before,
  };
}

export default async function predictBenchmark(): Promise<BenchSection> {
  const runs: LatencyRun[] = [];
  const imdb = await loadImdb();
  const english = await loadSentimentModel(await resolveServingModelDir('sentiment-en'));
  try {
    runs.push(
      await measure(
        'en',
        english,
        imdb.test.map((example) => example.text),
      ),
    );
  } finally {
    english.dispose();
  }
  if (existsSync(getConfig().nsmcDir)) {
    const nsmc = await loadNsmc(getConfig().nsmcDir);
    const korean = await loadSentimentModel(await resolveServingModelDir('sentiment-ko'));
    try {
      runs.push(
        await measure(
          'ko',
          korean,
          nsmc.test.map((example) => example.text),
        ),
      );
    } finally {
      korean.dispose();
    }
  }
  const rows = runs.map(
    (run) =>
      `| ${run.lang} | ${run.version} | ${run.p50Ms.toFixed(2)} | ${run.p95Ms.toFixed(2)} | ` +
      `${Math.round(run.batchedPerSecond)} | ${run.tensorsLeaked} |`,
  );
  const markdown = [
    '| model | version | single p50 ms | single p95 ms | batched reviews/s (64 per batch) | tensors leaked |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Single: ${SINGLE_COUNT} test reviews one at a time, end to end (normalize, tokenize, CNN and ` +
      `n-gram). Batched: ${BATCH_TEXTS} reviews in batches of ${BATCH_SIZE}. Targets: p50 <= 10 ms, ` +
      '>= 500 reviews/s.',
  ].join('\n');
  return { title: 'Sentiment prediction latency', markdown, data: runs };
}

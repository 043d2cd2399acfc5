/**
 * @module `npm run bench -- memory [--count=10000]`: RSS, V8 heap and live TensorFlow.js tensors
 * of the model host before and after `count` predictions (English and Korean reviews, drawn
 * digits, in turn). The host serves the shipped models in this process. The start sample follows
 * a warm-up of 300 predictions, and every sample follows a forced garbage collection. A
 * second table gives the time and RSS of one 45 MiB CSV data set upload through the HTTP app.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getConfig, loadConfig } from '../../src/core/config.ts';
import { initTf } from '../../src/core/tf.ts';
import { ModelHost } from '../../src/models/host.ts';
import { createService } from '../../src/server/index.ts';
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
/** Size of the CSV data set uploaded by the second measurement, in MiB (the limit is 50 MB). */
const UPLOAD_MIB = 45;

interface UploadRun {
  status: number;
  rows: number;
  mebibytes: number;
  seconds: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
}

/** Uploads a generated CSV of UPLOAD_MIB through POST /admin/datasets of a fresh service. */
async function measureUpload(): Promise<UploadRun> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-bench-upload-'));
  const token = 'bench-memory-admin-token-0123456789';
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    TF_BACKEND: getConfig().TF_BACKEND,
    ADMIN_TOKEN: token,
  });
  const service = await createService({ config, web: false });
  try {
    const rows: string[] = [];
    let size = 0;
    while (size < UPLOAD_MIB * 2 ** 20) {
      const row = `review ${rows.length} with some words that make it about eighty characters,${rows.length % 2}`;
      rows.push(row);
      size += row.length + 1;
    }
    const body = `text,label\n${rows.join('\n')}\n`;
    const rssBeforeBytes = (await sampleMemory(() => 0)).rssBytes;
    const started = performance.now();
    const response = await service.app.request('/admin/datasets', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' },
      body,
    });
    await response.arrayBuffer();
    const seconds = (performance.now() - started) / 1000;
    const rssAfterBytes = process.memoryUsage().rss;
    return {
      status: response.status,
      rows: rows.length,
      mebibytes: body.length / 2 ** 20,
      seconds,
      rssBeforeBytes,
      rssAfterBytes,
    };
  } finally {
    await service.jobs.shutdown();
    service.host.close();
    service.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
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
    host.close();
    const upload = await measureUpload();
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
      '',
      `One CSV data set upload through POST /admin/datasets (in process, no socket), measured ` +
        'right after the table above:',
      '',
      '| size MiB | rows | status | seconds | RSS before MiB | RSS after MiB |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${upload.mebibytes.toFixed(1)} | ${upload.rows.toLocaleString('en-US')} | ` +
        `${upload.status} | ${upload.seconds.toFixed(2)} | ${mebibytes(upload.rssBeforeBytes)} | ` +
        `${mebibytes(upload.rssAfterBytes)} |`,
    ].join('\n');
    return {
      title: `Memory after ${count.toLocaleString('en-US')} predictions`,
      markdown,
      data: { count, kinds, seconds, samples, rssChange, upload },
    };
  } finally {
    host.close();
    await closeKoreanAnalyzer();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

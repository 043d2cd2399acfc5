import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { digitCommands } from '../../src/cli/digit.ts';
import { getConfig } from '../../src/core/config.ts';
import { isNunchiError } from '../../src/core/errors.ts';
import type { ModelMetadata } from '../../src/core/model-dir.ts';
import {
  type DigitModel,
  UNSURE_BELOW,
  loadDigitModel,
  prepareDigits,
  readDigits,
} from '../../src/vision/index.ts';
import { drawDigits } from './fixtures.ts';

const shippedRoot = path.join(getConfig().modelsDir, 'digits-cnn');

function shippedModelDir(): string {
  const pointer = path.join(shippedRoot, 'CURRENT');
  if (!existsSync(pointer)) {
    throw new Error(
      `The shipped CNN is missing: ${pointer} does not exist. Train it with ` +
        '`npm run cli -- train digits-cnn --out data/models/digits-cnn/<version>` and write the ' +
        'version into CURRENT.',
    );
  }
  return path.join(shippedRoot, readFileSync(pointer, 'utf8').trim());
}

/** A stand-in model that returns fixed probabilities, to test the answer logic alone. */
function fixedModel(probabilities: number[]): DigitModel {
  return {
    name: 'digits-cnn',
    version: 'fixed',
    metadata: {} as ModelMetadata,
    predict: (inputs) => inputs.map(() => Float32Array.from(probabilities)),
    dispose: () => undefined,
  };
}

describe('readDigits with the shipped CNN', () => {
  let model: DigitModel;
  let baseline: number;

  beforeAll(async () => {
    const dir = shippedModelDir();
    await tf.ready();
    const before = tf.memory().numTensors;
    model = await loadDigitModel(dir);
    baseline = tf.memory().numTensors;
    expect(baseline).toBeGreaterThan(before);
  });

  afterAll(() => model?.dispose());

  const cases: [string, () => Promise<Uint8Array>, string][] = [
    ['black strokes on a transparent canvas', () => drawDigits('3', { background: 'none' }), '3'],
    ['black digit on a white JPEG', () => drawDigits('7', {}, 'jpeg'), '7'],
    [
      'digit in a corner covering 15% of the canvas',
      () => drawDigits('4', { width: 400, height: 400, box: { x: 8, y: 8, size: 155 } }),
      '4',
    ],
    [
      '1-pixel stroke on a large canvas',
      () => drawDigits('2', { width: 1000, height: 1000, stroke: 1 }),
      '2',
    ],
    ['wide 600x200 image of a zero', () => drawDigits('0', { width: 600, height: 200 }), '0'],
    [
      'white digit on black WebP',
      () => drawDigits('6', { background: 'black', ink: 'white' }, 'webp'),
      '6',
    ],
    ['digit tilted by 15 degrees', () => drawDigits('3', { rotate: 15 }), '3'],
  ];

  it.each(cases)('reads a %s', async (_name, draw, expected) => {
    const answer = await readDigits(await draw(), model);
    expect(answer.text).toBe(expected);
    expect(answer.kind).toBe('digit');
    expect(answer.digits).toHaveLength(1);
    expect(answer.digits[0].probability).toBeGreaterThanOrEqual(UNSURE_BELOW);
    expect(answer.digits[0].top).toHaveLength(3);
    expect(answer.digits[0].input).toHaveLength(784);
    expect(answer.model).toBe('digits-cnn');
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('reads two digits side by side as a number', async () => {
    const answer = await readDigits(await drawDigits('42', { width: 400, height: 200 }), model, {
      debugImage: true,
    });
    expect(answer.kind).toBe('number');
    expect(answer.text).toBe('42');
    expect(answer.digits).toHaveLength(2);
    expect(answer.digits[0].box.x).toBeLessThan(answer.digits[1].box.x);
    for (const digit of answer.digits) expect(digit.probability).toBeGreaterThan(UNSURE_BELOW);
    const debug = await sharp(answer.debugImage!).metadata();
    expect(debug.format).toBe('png');
    expect(debug.height).toBe(28 * 8);
    expect(debug.width).toBe(2 * 28 * 8 + 4);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('reads "2026" written in a line', async () => {
    const answer = await readDigits(await drawDigits('2026', { width: 800, height: 200 }), model);
    expect(answer.text).toBe('2026');
    expect(answer.kind).toBe('number');
  });

  it('answers no digit found for a blank canvas', async () => {
    const blank = await sharp({
      create: { width: 280, height: 280, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const error = await readDigits(blank, model).catch((caught: unknown) => caught);
    expect(isNunchiError(error, 'NO_DIGIT_FOUND')).toBe(true);
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('digit CLI command', () => {
  it('prints one JSON object per file and types the errors', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-digit-cli-'));
    try {
      const good = path.join(dir, 'nine.png');
      const bad = path.join(dir, 'notes.png');
      const debug = path.join(dir, 'seen.png');
      writeFileSync(good, await drawDigits('9'));
      writeFileSync(bad, 'shopping list: milk, eggs');
      const lines: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        lines.push(String(chunk));
        return true;
      });
      const args = [good, bad, '--json', '--debug-image', debug, '--model-dir', shippedModelDir()];
      const code = await digitCommands[0].run(args).finally(() => spy.mockRestore());
      expect(code).toBe(1);
      expect(lines).toHaveLength(2);
      const first = JSON.parse(lines[0]) as { text: string; debugImage: string };
      expect(first.text).toBe('9');
      expect(first.debugImage).toBe(path.join(dir, 'seen-1.png'));
      expect((await sharp(first.debugImage).metadata()).width).toBe(224);
      const second = JSON.parse(lines[1]) as { error: { code: string } };
      expect(second.error.code).toBe('IMAGE_INVALID');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readDigits answer kinds', () => {
  it('answers unsure with the top three when the top probability is low', async () => {
    const model = fixedModel([0.05, 0.05, 0.05, 0.05, 0.4, 0.05, 0.05, 0.05, 0.05, 0.2]);
    const answer = await readDigits(await drawDigits('4'), model);
    expect(answer.kind).toBe('unsure');
    expect(answer.text).toBe('4');
    expect(answer.digits[0].top.map((candidate) => candidate.digit)).toEqual([4, 9, 0]);
    expect(answer.digits[0].top[0].probability).toBeCloseTo(0.4, 5);
  });

  it('answers digit when the top probability is high', async () => {
    const model = fixedModel([0, 0, 0, 0, 0, 0, 0, 0.97, 0.03, 0]);
    const answer = await readDigits(await drawDigits('7'), model);
    expect(answer.kind).toBe('digit');
    expect(answer.debugImage).toBeUndefined();
  });
});

describe('MNIST-format inputs', () => {
  function centreOfMass(input: Float32Array): { x: number; y: number; mass: number } {
    let mass = 0;
    let x = 0;
    let y = 0;
    for (let i = 0; i < 784; i += 1) {
      mass += input[i];
      x += input[i] * ((i % 28) + 0.5);
      y += input[i] * (Math.floor(i / 28) + 0.5);
    }
    return { x: x / mass, y: y / mass, mass };
  }

  function inkBox(input: Float32Array): { width: number; height: number } {
    let minX = 28;
    let maxX = -1;
    let minY = 28;
    let maxY = -1;
    for (let i = 0; i < 784; i += 1) {
      if (input[i] < 0.05) continue;
      minX = Math.min(minX, i % 28);
      maxX = Math.max(maxX, i % 28);
      minY = Math.min(minY, Math.floor(i / 28));
      maxY = Math.max(maxY, Math.floor(i / 28));
    }
    return { width: maxX - minX + 1, height: maxY - minY + 1 };
  }

  it('centres a corner digit by its centre of mass in a 20-pixel box', async () => {
    const [digit] = await prepareDigits(
      await drawDigits('5', { width: 400, height: 400, box: { x: 8, y: 8, size: 155 } }),
    );
    const centre = centreOfMass(digit.input);
    expect(Math.abs(centre.x - 14)).toBeLessThan(1);
    expect(Math.abs(centre.y - 14)).toBeLessThan(1);
    const box = inkBox(digit.input);
    expect(Math.max(box.width, box.height)).toBeGreaterThanOrEqual(19);
    expect(Math.max(box.width, box.height)).toBeLessThanOrEqual(21);
    expect(digit.box.x).toBeLessThan(60);
    expect(digit.box.y).toBeLessThan(60);
  });

  it('keeps the aspect ratio of a tall digit', async () => {
    const [digit] = await prepareDigits(await drawDigits('1', { width: 600, height: 200 }));
    const box = inkBox(digit.input);
    expect(box.height).toBeGreaterThanOrEqual(19);
    expect(box.width).toBeLessThan(14);
  });

  it('thickens a 1-pixel stroke to a pen-like width', async () => {
    const [thin] = await prepareDigits(
      await drawDigits('7', { width: 1000, height: 1000, stroke: 1 }),
    );
    const [normal] = await prepareDigits(await drawDigits('7'));
    const thinMass = centreOfMass(thin.input).mass;
    const normalMass = centreOfMass(normal.input).mass;
    expect(thinMass).toBeGreaterThan(0.6 * normalMass);
    expect(thinMass).toBeLessThan(1.6 * normalMass);
  });

  it('splits two digits and leaves each one out of the other', async () => {
    const digits = await prepareDigits(await drawDigits('11', { width: 400, height: 200 }));
    expect(digits).toHaveLength(2);
    for (const digit of digits) expect(inkBox(digit.input).width).toBeLessThan(14);
  });
});

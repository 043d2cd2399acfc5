/**
 * @module A Classifier for the browser tests, so the real app runs without trained models.
 * Sentiment comes from a small word list with tagged Korean morphemes, and digits from a
 * nearest-neighbour vote over the MNIST test images in MNIST_DIR, when they are present.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { getConfig } from '../../src/core/config.ts';
import type {
  Classifier,
  DigitAnswer,
  ModelSummary,
  SentimentResult,
} from '../../src/core/contracts.ts';
import { NunchiError } from '../../src/core/errors.ts';

const IMAGE_SIZE = 28;
const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
/** Side of the enlarged model view returned as the debug image, in pixels. */
export const DEBUG_IMAGE_SIZE = 140;

/** Word weights of the stand-in sentiment scorer. Korean entries are tagged morphemes. */
const LEXICON: [string, number][] = [
  ['재밌/VA', 1.4],
  ['최고/NNG', 1.6],
  ['좋/VA', 0.9],
  ['감동/NNG', 1.1],
  ['지루/XR', -1.5],
  ['별로/MAG', -1.2],
  ['최악/NNG', -1.9],
  ['great', 1.3],
  ['fun', 1.0],
  ['boring', -1.4],
  ['awful', -1.8],
];

function scoreSentiment(text: string, versionOf: (name: string) => string): SentimentResult {
  const lower = text.toLowerCase();
  const matches = LEXICON.filter(([token]) => lower.includes(token.split('/')[0]));
  const score = matches.reduce((sum, [, weight]) => sum + weight, 0);
  const probabilityPositive = 1 / (1 + Math.exp(-score));
  const korean = /[가-힣]/.test(text);
  return {
    label: probabilityPositive >= 0.5 ? 'positive' : 'negative',
    confidence: Math.max(probabilityPositive, 1 - probabilityPositive),
    probabilityPositive,
    language: korean ? 'ko' : 'en',
    model: korean ? 'sentiment-ko' : 'sentiment-en',
    modelVersion: versionOf(korean ? 'sentiment-ko' : 'sentiment-en'),
    tokens: text.split(/\s+/).filter(Boolean),
    topWords: matches
      .map(([token, weight]) => ({ token, weight }))
      .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)),
    truncated: false,
  };
}

interface MnistSet {
  images: Buffer;
  labels: Buffer;
  count: number;
  norms: Float64Array;
}

function loadMnist(dir: string): MnistSet {
  const images = gunzipSync(readFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'))).subarray(16);
  const labels = gunzipSync(readFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'))).subarray(8);
  const count = labels.length;
  const norms = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    let sum = 0;
    for (let p = 0; p < PIXELS; p += 1) sum += images[i * PIXELS + p] ** 2;
    norms[i] = Math.sqrt(sum) || 1;
  }
  return { images, labels, count, norms };
}

/** Votes of the `k` MNIST test images closest to `input` by cosine similarity, per digit. */
function nearestNeighbourVotes(set: MnistSet, input: Buffer, k = 10): number[] {
  const best: { similarity: number; label: number }[] = [];
  for (let i = 0; i < set.count; i += 1) {
    let dot = 0;
    for (let p = 0; p < PIXELS; p += 1) dot += set.images[i * PIXELS + p] * input[p];
    const similarity = dot / set.norms[i];
    if (best.length < k || similarity > best[best.length - 1].similarity) {
      best.push({ similarity, label: set.labels[i] });
      best.sort((a, b) => b.similarity - a.similarity);
      if (best.length > k) best.pop();
    }
  }
  const votes = new Array<number>(10).fill(0);
  for (const neighbour of best) votes[neighbour.label] += 1 / best.length;
  return votes;
}

/** Shifts a 28x28 image so that its centre of mass sits at the centre, as MNIST's images do. */
function centreByMass(image: Buffer): Buffer {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let p = 0; p < PIXELS; p += 1) {
    mass += image[p];
    sumX += (p % IMAGE_SIZE) * image[p];
    sumY += Math.floor(p / IMAGE_SIZE) * image[p];
  }
  if (mass === 0) return image;
  const dx = Math.round((IMAGE_SIZE - 1) / 2 - sumX / mass);
  const dy = Math.round((IMAGE_SIZE - 1) / 2 - sumY / mass);
  const shifted = Buffer.alloc(PIXELS);
  for (let y = 0; y < IMAGE_SIZE; y += 1) {
    for (let x = 0; x < IMAGE_SIZE; x += 1) {
      const fromX = x - dx;
      const fromY = y - dy;
      if (fromX < 0 || fromY < 0 || fromX >= IMAGE_SIZE || fromY >= IMAGE_SIZE) continue;
      shifted[y * IMAGE_SIZE + x] = image[fromY * IMAGE_SIZE + fromX];
    }
  }
  return shifted;
}

/** Converts a drawing (dark ink on white) into MNIST's 28x28 form: white ink, 20x20 box, centred. */
async function toMnistInput(png: Buffer) {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  const ink = Buffer.from(data.map((value) => 255 - value));
  let left = info.width;
  let top = info.height;
  let right = -1;
  let bottom = -1;
  for (let y = 0; y < info.height; y += 1) {
    for (let x = 0; x < info.width; x += 1) {
      if (ink[y * info.width + x] < 64) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) return undefined;
  const box = { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
  const input = await sharp(ink, { raw: { width: info.width, height: info.height, channels: 1 } })
    .extract({ left: box.x, top: box.y, width: box.width, height: box.height })
    .resize(20, 20, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .extend({ top: 4, bottom: 4, left: 4, right: 4, background: { r: 0, g: 0, b: 0 } })
    .greyscale()
    .raw()
    .toBuffer();
  return { input: centreByMass(input), box };
}

export interface StandInClassifier extends Classifier {
  /** Every image received by readDigits, in order. */
  images: Buffer[];
  /** True when digits are read by nearest MNIST neighbours, false when the data is missing. */
  readsDigits: boolean;
}

/**
 * Creates the stand-in classifier. `describeModels` supplies the versions it reports, so its results
 * name the versions the app serves.
 */
export function createStandInClassifier(describeModels: () => ModelSummary[]): StandInClassifier {
  const mnistDir = getConfig().mnistDir;
  const readsDigits = existsSync(path.join(mnistDir, 't10k-images-idx3-ubyte.gz'));
  const mnist = readsDigits ? loadMnist(mnistDir) : undefined;
  const images: Buffer[] = [];
  const versionOf = (name: string) =>
    describeModels().find((model) => model.name === name)?.version ?? 'none';

  return {
    images,
    readsDigits,
    describeModels,
    async classifySentiment(text) {
      return scoreSentiment(text, versionOf);
    },
    async readDigits(image, options = {}): Promise<DigitAnswer> {
      const png = Buffer.from(image);
      images.push(png);
      const converted = await toMnistInput(png);
      if (!converted) throw new NunchiError('NO_DIGIT_FOUND', 'The image has no ink');
      const votes = mnist
        ? nearestNeighbourVotes(mnist, converted.input)
        : new Array<number>(10).fill(0.1);
      const ranked = votes
        .map((probability, digit) => ({ digit, probability }))
        .sort((a, b) => b.probability - a.probability);
      const best = ranked[0];
      const debugImage = options.debugImage
        ? await sharp(converted.input, { raw: { width: 28, height: 28, channels: 1 } })
            .resize(DEBUG_IMAGE_SIZE, DEBUG_IMAGE_SIZE, { kernel: 'nearest' })
            .png()
            .toBuffer()
        : undefined;
      return {
        kind: best.probability >= 0.5 ? 'digit' : 'unsure',
        text: String(best.digit),
        digits: [
          {
            ...best,
            top: ranked.slice(0, 3),
            box: converted.box,
            input: new Uint8Array(converted.input),
          },
        ],
        model: 'digits-mlp',
        modelVersion: versionOf('digits-mlp'),
        debugImage: debugImage ? new Uint8Array(debugImage) : undefined,
      };
    },
  };
}

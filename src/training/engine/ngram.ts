/**
 * @module The n-gram companion of the CNN: TF-IDF features over word n-grams (sublinear term
 * frequency, smoothed IDF, L2-normalised rows, as scikit-learn's TfidfVectorizer does) and an
 * L2-regularised logistic regression trained with mini-batch Adam on sparse rows.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NunchiError } from '../../core/errors.ts';
import { createRandom, shuffleInPlace } from './random.ts';

export const NGRAM_JSON_FILE = 'ngram.json';
export const NGRAM_WEIGHTS_FILE = 'ngram.bin';

export interface NgramConfig {
  /** Maximum n-gram length; 2 means unigrams and bigrams. */
  maxN: number;
  /** Minimum number of training texts an n-gram must occur in. */
  minDocumentCount: number;
  /** Keep at most this many n-grams, the most frequent by document count. */
  maxFeatures: number;
  /** L2 penalty on the weights, per example (sklearn's 1 / (C * n)). */
  l2: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
}

/** One text as a sparse TF-IDF row. */
export interface SparseRow {
  ids: Int32Array;
  values: Float32Array;
}

/** Returns the n-grams of `tokens` from length 1 to `maxN`, joined by a space. */
export function ngramsOf(tokens: readonly string[], maxN: number): string[] {
  const grams: string[] = [...tokens];
  for (let n = 2; n <= maxN; n += 1) {
    for (let i = 0; i + n <= tokens.length; i += 1) {
      let gram = tokens[i];
      for (let j = 1; j < n; j += 1) gram += ` ${tokens[i + j]}`;
      grams.push(gram);
    }
  }
  return grams;
}

/** A fitted TF-IDF vocabulary with logistic regression weights. */
export class NgramModel {
  readonly maxN: number;
  readonly features: string[];
  readonly idf: Float32Array;
  readonly weights: Float32Array;
  bias: number;
  private readonly index: Map<string, number>;

  constructor(
    maxN: number,
    features: string[],
    idf: Float32Array,
    weights: Float32Array,
    bias = 0,
  ) {
    this.maxN = maxN;
    this.features = features;
    this.idf = idf;
    this.weights = weights;
    this.bias = bias;
    this.index = new Map(features.map((feature, i) => [feature, i]));
  }

  /** Builds the vocabulary and IDF from training token lists; weights start at zero. */
  static fit(documents: readonly string[][], config: NgramConfig): NgramModel {
    const counts = new Map<string, number>();
    for (const tokens of documents) {
      for (const gram of new Set(ngramsOf(tokens, config.maxN))) {
        counts.set(gram, (counts.get(gram) ?? 0) + 1);
      }
    }
    const kept = [...counts.entries()]
      .filter(([, count]) => count >= config.minDocumentCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, config.maxFeatures);
    const n = documents.length;
    const idf = new Float32Array(kept.map(([, count]) => Math.log((1 + n) / (1 + count)) + 1));
    return new NgramModel(
      config.maxN,
      kept.map(([gram]) => gram),
      idf,
      new Float32Array(kept.length),
    );
  }

  /** Returns the L2-normalised TF-IDF row of one token list (unknown n-grams are dropped). */
  vectorize(tokens: readonly string[]): SparseRow {
    const counts = new Map<number, number>();
    for (const gram of ngramsOf(tokens, this.maxN)) {
      const id = this.index.get(gram);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const ids = Int32Array.from(counts.keys());
    const values = new Float32Array(ids.length);
    let norm = 0;
    ids.forEach((id, i) => {
      const value = (1 + Math.log(counts.get(id)!)) * this.idf[id];
      values[i] = value;
      norm += value * value;
    });
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < values.length; i += 1) values[i] *= scale;
    return { ids, values };
  }

  /** Returns the logit of one row. */
  logit(row: SparseRow): number {
    let z = this.bias;
    for (let i = 0; i < row.ids.length; i += 1) z += this.weights[row.ids[i]] * row.values[i];
    return z;
  }

  /**
   * Returns the `count` n-grams of a row with the largest absolute share of the logit, strongest
   * first, each with its signed share. N-grams with a zero share are left out.
   */
  topContributions(row: SparseRow, count: number): { feature: string; weight: number }[] {
    const top: { feature: string; weight: number }[] = [];
    for (let i = 0; i < row.ids.length; i += 1) {
      const weight = this.weights[row.ids[i]] * row.values[i];
      const size = Math.abs(weight);
      if (size === 0) continue;
      if (top.length === count && size <= Math.abs(top[count - 1].weight)) continue;
      let at = Math.min(top.length, count - 1);
      while (at > 0 && Math.abs(top[at - 1].weight) < size) at -= 1;
      top.splice(at, 0, { feature: this.features[row.ids[i]], weight });
      if (top.length > count) top.pop();
    }
    return top;
  }

  /**
   * Trains the logistic regression weights on `rows` with mini-batch Adam and a linearly
   * decaying learning rate. Calls `onEpoch` after each epoch; `shouldStop` is checked per batch.
   */
  train(
    rows: SparseRow[],
    labels: ArrayLike<number>,
    config: NgramConfig,
    seed: number,
    shouldStop: () => boolean = () => false,
  ): void {
    const random = createRandom(seed);
    const size = this.weights.length;
    const m = new Float32Array(size + 1);
    const v = new Float32Array(size + 1);
    const grad = new Float32Array(size + 1);
    const order = Array.from({ length: rows.length }, (_, i) => i);
    const batches = Math.ceil(rows.length / config.batchSize);
    const totalSteps = config.epochs * batches;
    let step = 0;
    for (let epoch = 0; epoch < config.epochs; epoch += 1) {
      shuffleInPlace(order, random);
      for (let start = 0; start < order.length; start += config.batchSize) {
        if (shouldStop()) return;
        const end = Math.min(order.length, start + config.batchSize);
        const count = end - start;
        for (let k = start; k < end; k += 1) {
          const row = rows[order[k]];
          const p = 1 / (1 + Math.exp(-this.logit(row)));
          const d = (p - labels[order[k]]) / count;
          for (let i = 0; i < row.ids.length; i += 1) grad[row.ids[i]] += d * row.values[i];
          grad[size] += d;
        }
        step += 1;
        const learningRate = config.learningRate * (1 - (step - 1) / totalSteps);
        const stepSize = (learningRate * Math.sqrt(1 - 0.999 ** step)) / (1 - 0.9 ** step);
        for (let i = 0; i <= size; i += 1) {
          const value = i < size ? this.weights[i] : this.bias;
          const g = grad[i] + (i < size ? config.l2 * value : 0);
          grad[i] = 0;
          m[i] = 0.9 * m[i] + 0.1 * g;
          v[i] = 0.999 * v[i] + 0.001 * g * g;
          const next = value - (stepSize * m[i]) / (Math.sqrt(v[i]) + 1e-8);
          if (i < size) this.weights[i] = next;
          else this.bias = next;
        }
      }
    }
  }

  /** Writes ngram.json (n-grams and settings) and ngram.bin (IDF then weights, float32). */
  async save(dir: string): Promise<void> {
    const meta = { maxN: this.maxN, bias: this.bias, featureCount: this.features.length };
    await fs.writeFile(
      path.join(dir, NGRAM_JSON_FILE),
      JSON.stringify({ ...meta, features: this.features }),
    );
    const data = new Float32Array(this.features.length * 2);
    data.set(this.idf, 0);
    data.set(this.weights, this.features.length);
    await fs.writeFile(path.join(dir, NGRAM_WEIGHTS_FILE), Buffer.from(data.buffer));
  }

  /**
   * Reads a model written by save.
   *
   * @throws NunchiError MODEL_INVALID when a file is unreadable or the sizes disagree.
   */
  static async load(dir: string): Promise<NgramModel> {
    try {
      const meta = JSON.parse(await fs.readFile(path.join(dir, NGRAM_JSON_FILE), 'utf8')) as {
        maxN: number;
        bias: number;
        featureCount: number;
        features: string[];
      };
      const bytes = await fs.readFile(path.join(dir, NGRAM_WEIGHTS_FILE));
      const count = meta.features.length;
      if (count !== meta.featureCount || bytes.byteLength !== count * 8) {
        throw new Error(`expected ${meta.featureCount} n-grams and ${count * 8} weight bytes`);
      }
      const data = new Float32Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 8),
      );
      return new NgramModel(
        meta.maxN,
        meta.features,
        data.slice(0, count),
        data.slice(count),
        meta.bias,
      );
    } catch (error) {
      throw new NunchiError(
        'MODEL_INVALID',
        `The n-gram model in ${dir} cannot be read (${(error as Error).message}); retrain or restore it`,
        { dir },
        { cause: error },
      );
    }
  }
}

/**
 * @module A loaded sentiment model version: the CNN as a TensorFlow.js LayersModel, its
 * vocabulary, the n-gram logistic regression and the ensemble weight, all read from one sealed
 * model directory.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { SentimentModelName, WordWeight } from '../../core/contracts.ts';
import { NunchiError } from '../../core/errors.ts';
import { verifyModelDir, type ModelMetadata } from '../../core/model-dir.ts';
import { initTf, type Tf } from '../../core/tf.ts';
import {
  projectedLogits,
  type CnnConfig,
  type CnnWeights,
  type MatMul,
} from '../../training/engine/cnn.ts';
import {
  createTfMatMul,
  loadLayersModel,
  readLayersWeights,
} from '../../training/engine/layers.ts';
import { NgramModel } from '../../training/engine/ngram.ts';
import { getLogger } from '../../core/logger.ts';
import { getKoreanAnalyzer, Vocabulary } from '../index.ts';
import type { TokenSettings } from './text.ts';

export const VOCABULARY_FILE = 'vocabulary.json';

/** Ensemble mix of the CNN and n-gram logits: z = cnnWeight * zCnn + (1 - cnnWeight) * zNgram. */
export interface EnsembleSettings {
  cnnWeight: number;
}

/** Serving settings stored in metadata.json under `sentiment`. */
export interface SentimentSettings {
  tokens: TokenSettings;
  cnn: CnnConfig;
  ensemble: EnsembleSettings;
  /** Korean analyzer the training tokens came from ('mecab' or 'fallback'). */
  analyzer?: string;
}

/** One prediction of the ensemble with the n-grams that pushed it most. */
export interface SentimentPrediction {
  probabilityPositive: number;
  topWords: WordWeight[];
}

const TOP_WORDS = 5;
/** Texts per CNN call when predicting a batch; smaller chunks pad less. */
const PREDICT_CHUNK = 16;
/** Batches of at least this many texts use the distinct-token projection instead of the layers model. */
const PROJECTION_MIN_BATCH = 8;
/** Texts per projection call: more texts share more distinct tokens. */
const PROJECTION_CHUNK = 64;

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** A sentiment model version ready to predict. Call dispose() to release its tensors. */
export class SentimentModel {
  readonly name: SentimentModelName;
  readonly version: string;
  readonly metadata: ModelMetadata;
  readonly settings: SentimentSettings;
  readonly vocabulary: Vocabulary;
  readonly ngram: NgramModel;
  private readonly tf: Tf;
  private layers: tfTypes.LayersModel | undefined;
  private readonly weights: CnnWeights;
  private readonly matMul: MatMul;

  constructor(
    tf: Tf,
    metadata: ModelMetadata,
    settings: SentimentSettings,
    layers: tfTypes.LayersModel,
    vocabulary: Vocabulary,
    ngram: NgramModel,
  ) {
    this.tf = tf;
    this.name = metadata.name as SentimentModelName;
    this.version = metadata.version;
    this.metadata = metadata;
    this.settings = settings;
    this.layers = layers;
    this.weights = readLayersWeights(layers, settings.cnn);
    this.matMul = createTfMatMul(tf);
    this.vocabulary = vocabulary;
    this.ngram = ngram;
  }

  /** Maps tokens to ids, cut to the model's maximum length (unknown tokens become UNK). */
  encode(tokens: readonly string[]): Int32Array {
    const length = Math.min(tokens.length, this.settings.cnn.maxLength);
    const ids = new Int32Array(length);
    for (let i = 0; i < length; i += 1) ids[i] = this.vocabulary.idOf(tokens[i]);
    return ids;
  }

  /**
   * Returns the CNN logits of token lists. Texts are sorted by length and predicted in chunks of
   * similar length, each padded only to its longest text plus one all-padding window. That gives
   * the same output as padding to the maximum length, at a fraction of the work. Small batches
   * run the layers model; larger ones the distinct-token projection, which computes the same
   * function with fewer multiplications (tested against the layers model).
   */
  cnnLogits(tokenLists: readonly string[][]): Float32Array {
    this.requireLayers();
    const sequences = tokenLists.map((tokens) => this.encode(tokens));
    const order = sequences
      .map((_, i) => i)
      .sort((a, b) => sequences[a].length - sequences[b].length);
    const logits = new Float32Array(sequences.length);
    if (sequences.length >= PROJECTION_MIN_BATCH) {
      for (let start = 0; start < order.length; start += PROJECTION_CHUNK) {
        const chunk = order.slice(start, start + PROJECTION_CHUNK);
        const values = projectedLogits(
          this.weights,
          this.settings.cnn,
          chunk.map((i) => sequences[i]),
          this.matMul,
        );
        chunk.forEach((index, k) => (logits[index] = values[k]));
      }
      return logits;
    }
    for (let start = 0; start < order.length; start += PREDICT_CHUNK) {
      const chunk = order.slice(start, start + PREDICT_CHUNK);
      const probabilities = this.predictChunk(chunk.map((i) => sequences[i]));
      chunk.forEach((index, k) => {
        // The layers model ends in a sigmoid; clamp before inverting so that 0 and 1 stay finite.
        const clamped = Math.min(1 - 1e-7, Math.max(1e-7, probabilities[k]));
        logits[index] = Math.log(clamped / (1 - clamped));
      });
    }
    return logits;
  }

  private predictChunk(sequences: Int32Array[]): Float32Array {
    const layers = this.requireLayers();
    const widest = Math.max(...this.settings.cnn.kernelSizes);
    const longest = Math.max(0, ...sequences.map((sequence) => sequence.length));
    const length = Math.max(widest, Math.min(this.settings.cnn.maxLength, longest + widest));
    const ids = new Int32Array(sequences.length * length);
    sequences.forEach((sequence, i) => ids.set(sequence, i * length));
    return this.tf.tidy(() => {
      const input = this.tf.tensor2d(ids, [sequences.length, length], 'int32');
      return (layers.predict(input) as tfTypes.Tensor).dataSync() as Float32Array;
    });
  }

  /** Returns the ensemble's P(positive) and top n-grams of each token list, in order. */
  predictTokens(tokenLists: readonly string[][]): SentimentPrediction[] {
    if (tokenLists.length === 0) return [];
    const cnn = this.cnnLogits(tokenLists);
    const weight = this.settings.ensemble.cnnWeight;
    return tokenLists.map((tokens, i) => {
      const row = this.ngram.vectorize(tokens);
      const z = weight * cnn[i] + (1 - weight) * this.ngram.logit(row);
      const topWords = this.ngram
        .topContributions(row, TOP_WORDS)
        .map((entry) => ({ token: entry.feature, weight: (1 - weight) * entry.weight }));
      return { probabilityPositive: sigmoid(z), topWords };
    });
  }

  private requireLayers(): tfTypes.LayersModel {
    if (!this.layers) {
      throw new NunchiError('MODEL_INVALID', `Model ${this.name} ${this.version} was disposed`);
    }
    return this.layers;
  }

  /** Releases the CNN's tensors; later predictions throw MODEL_INVALID. */
  dispose(): void {
    this.layers?.dispose();
    this.layers = undefined;
  }
}

function embeddingInputDim(layers: tfTypes.LayersModel): number {
  const config = layers.getLayer('embedding').getConfig() as { inputDim?: number };
  return Number(config.inputDim);
}

async function readVocabulary(dir: string): Promise<Vocabulary> {
  try {
    const json = JSON.parse(await fs.readFile(path.join(dir, VOCABULARY_FILE), 'utf8'));
    return Vocabulary.fromJSON(json);
  } catch (error) {
    throw new NunchiError(
      'MODEL_INVALID',
      `Cannot read ${VOCABULARY_FILE} in ${dir}: ${(error as Error).message}`,
      { dir },
      { cause: error },
    );
  }
}

/**
 * Loads and checks a sentiment model version: file checksums, the vocabulary size against the
 * embedding, and the settings in metadata.json.
 *
 * @throws NunchiError MODEL_NOT_FOUND (no metadata), MODEL_INVALID (corrupt, truncated or
 *   unreadable files) or MODEL_MISMATCH (vocabulary and embedding sizes differ).
 */
export async function loadSentimentModel(dir: string): Promise<SentimentModel> {
  const metadata = await verifyModelDir(dir);
  const settings = metadata.sentiment as SentimentSettings | undefined;
  if (!settings?.tokens || !settings.cnn || !settings.ensemble) {
    throw new NunchiError(
      'MODEL_INVALID',
      `metadata.json in ${dir} has no sentiment settings; expected a sentiment model directory`,
      { dir },
    );
  }
  const { tf } = await initTf();
  const vocabulary = await readVocabulary(dir);
  const ngram = await NgramModel.load(dir);
  const layers = await loadLayersModel(tf, dir);
  const inputDim = embeddingInputDim(layers);
  if (inputDim !== vocabulary.size || inputDim !== settings.cnn.vocabularySize) {
    layers.dispose();
    throw new NunchiError(
      'MODEL_MISMATCH',
      `Vocabulary in ${dir} has ${vocabulary.size} entries but the embedding expects ${inputDim}; ` +
        'the vocabulary and weights come from different training runs. Retrain the model.',
      { dir, vocabularySize: vocabulary.size, embeddingRows: inputDim },
    );
  }
  await warnOnAnalyzerChange(metadata, settings);
  return new SentimentModel(tf, metadata, settings, layers, vocabulary, ngram);
}

/** Logs a warning when Korean text will be analysed by another engine than at training. */
async function warnOnAnalyzerChange(
  metadata: ModelMetadata,
  settings: SentimentSettings,
): Promise<void> {
  if (settings.tokens.language !== 'ko' || !settings.analyzer) return;
  const analyzer = await getKoreanAnalyzer();
  if (analyzer.engine === settings.analyzer) return;
  getLogger('nlp').warn(
    { model: metadata.name, version: metadata.version, trainedWith: settings.analyzer },
    `Model ${metadata.name} ${metadata.version} was trained on ${settings.analyzer} tokens but ` +
      `the ${analyzer.engine} analyzer serves, so its accuracy will be lower`,
  );
}

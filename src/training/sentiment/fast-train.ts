/**
 * @module Training loop of the Float32Array CNN for backends without fast autodiff (wasm, cpu):
 * length-bucketed mini-batches, Adam, validation after each epoch, and the weights of the best
 * validation epoch kept.
 */
import type { TrainingProgress } from '../../core/contracts.ts';
import { NunchiError } from '../../core/errors.ts';
import {
  initCnnWeights,
  packBatch,
  TextCnn,
  type CnnConfig,
  type CnnWeights,
  type MatMul,
} from '../engine/cnn.ts';
import { createRandom, shuffleInPlace } from '../engine/random.ts';

export interface FastTrainOptions {
  config: CnnConfig;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  matMul: MatMul;
  signal?: AbortSignal;
  /** Called after every batch; the caller throttles what it shows. */
  onBatch?: (progress: TrainingProgress) => void;
}

export interface FastTrainResult {
  weights: CnnWeights;
  /** Validation accuracy after each epoch. */
  validationAccuracy: number[];
  /** 1-based epoch whose weights were kept. */
  bestEpoch: number;
  /** Validation logits of the kept weights. */
  validationLogits: Float32Array;
  secondsPerEpoch: number[];
}

/** Throws TRAINING_FAILED 'cancelled' when the run was aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new NunchiError('TRAINING_FAILED', 'Training cancelled', { reason: 'cancelled' });
  }
}

/**
 * Groups example indices into batches of similar length, so that little padding is computed:
 * shuffle, sort each window of 50 batches by length, cut into batches, shuffle the batches.
 */
export function bucketedBatches(
  lengths: number[],
  batchSize: number,
  random: () => number,
): number[][] {
  const order = shuffleInPlace(
    Array.from({ length: lengths.length }, (_, i) => i),
    random,
  );
  const window = batchSize * 50;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += window) {
    const chunk = order.slice(start, start + window).sort((a, b) => lengths[a] - lengths[b]);
    for (let i = 0; i < chunk.length; i += batchSize) batches.push(chunk.slice(i, i + batchSize));
  }
  return shuffleInPlace(batches, random);
}

/** Returns the logits of `sequences` in batches of `batchSize`. */
export function cnnLogits(cnn: TextCnn, sequences: Int32Array[], batchSize = 256): Float32Array {
  const logits = new Float32Array(sequences.length);
  const order = Array.from({ length: sequences.length }, (_, i) => i).sort(
    (a, b) => sequences[a].length - sequences[b].length,
  );
  for (let start = 0; start < order.length; start += batchSize) {
    const indices = order.slice(start, start + batchSize);
    const batch = packBatch(
      indices.map((i) => sequences[i]),
      cnn.config,
    );
    const values = cnn.logits(batch);
    indices.forEach((index, k) => (logits[index] = values[k]));
  }
  return logits;
}

function accuracyOf(logits: Float32Array, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < logits.length; i += 1) if (logits[i] > 0 === labels[i] > 0.5) correct += 1;
  return logits.length === 0 ? 0 : correct / logits.length;
}

function copyWeights(weights: CnnWeights): CnnWeights {
  return {
    embedding: weights.embedding.slice(),
    convKernels: weights.convKernels.map((kernel) => kernel.slice()),
    convBiases: weights.convBiases.map((bias) => bias.slice()),
    hiddenKernel: weights.hiddenKernel.slice(),
    hiddenBias: weights.hiddenBias.slice(),
    outputKernel: weights.outputKernel.slice(),
    outputBias: weights.outputBias.slice(),
  };
}

/**
 * Trains the CNN on encoded sequences. Each epoch ends with a validation pass; the weights of the
 * best epoch are returned (the last ones when there is no validation data).
 */
export async function trainCnnFast(
  train: { sequences: Int32Array[]; labels: Float32Array },
  validation: { sequences: Int32Array[]; labels: Float32Array },
  options: FastTrainOptions,
): Promise<FastTrainResult> {
  const { config, epochs, batchSize } = options;
  const cnn = new TextCnn(config, initCnnWeights(config, options.seed), options.matMul);
  const random = createRandom(options.seed + 1);
  const lengths = train.sequences.map((sequence) => Math.min(sequence.length, config.maxLength));
  const validationAccuracy: number[] = [];
  const secondsPerEpoch: number[] = [];
  let best:
    { epoch: number; accuracy: number; weights: CnnWeights; logits: Float32Array } | undefined;
  const started = Date.now();
  const batchesPerEpoch = Math.ceil(train.sequences.length / batchSize);
  for (let epoch = 1; epoch <= epochs; epoch += 1) {
    const epochStarted = Date.now();
    const batches = bucketedBatches(lengths, batchSize, random);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < batches.length; b += 1) {
      throwIfAborted(options.signal);
      const indices = batches[b];
      const batch = packBatch(
        indices.map((i) => train.sequences[i]),
        config,
      );
      const labels = new Float32Array(indices.map((i) => train.labels[i]));
      const step = cnn.trainStep(batch, labels, { learningRate: options.learningRate }, random);
      lossSum += step.loss * indices.length;
      correct += step.correct;
      seen += indices.length;
      const done = (epoch - 1) * batchesPerEpoch + b + 1;
      const elapsed = (Date.now() - started) / 1000;
      options.onBatch?.({
        phase: 'training',
        epoch,
        epochs,
        batch: b + 1,
        batches: batches.length,
        loss: lossSum / seen,
        accuracy: correct / seen,
        validationAccuracy: validationAccuracy.at(-1),
        etaSeconds: (elapsed / done) * (epochs * batchesPerEpoch - done),
      });
      // Yield to the event loop so that an abort request and progress consumers can run.
      if (b % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
    }
    secondsPerEpoch.push((Date.now() - epochStarted) / 1000);
    throwIfAborted(options.signal);
    if (validation.sequences.length === 0) {
      best = { epoch, accuracy: 0, weights: cnn.weights, logits: new Float32Array(0) };
      continue;
    }
    const logits = cnnLogits(cnn, validation.sequences);
    const accuracy = accuracyOf(logits, validation.labels);
    validationAccuracy.push(accuracy);
    if (!best || accuracy > best.accuracy) {
      best = { epoch, accuracy, weights: copyWeights(cnn.weights), logits };
    }
  }
  if (!best)
    throw new NunchiError('TRAINING_FAILED', 'Training ran no epoch; expected epochs >= 1');
  return {
    weights: best.weights,
    validationAccuracy,
    bestEpoch: best.epoch,
    validationLogits: best.logits,
    secondsPerEpoch,
  };
}

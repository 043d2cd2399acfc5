/**
 * @module The n-gram half of the ensemble and the choice of the ensemble weight, both made on
 * the validation split.
 */
import { NgramModel } from '../engine/ngram.ts';
import type { SentimentTrainingConfig } from './config.ts';
import { throwIfAborted } from './fast-train.ts';

export interface TrainedNgram {
  model: NgramModel;
  /** L2 penalty chosen on validation. */
  l2: number;
  validationAccuracy: number;
  validationLogits: Float32Array;
}

function accuracy(logits: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i += 1) if (logits[i] > 0 === labels[i] > 0.5) correct += 1;
  return labels.length === 0 ? 0 : correct / labels.length;
}

/**
 * Fits the TF-IDF vocabulary on the training tokens and trains the logistic regression once per
 * L2 candidate, keeping the candidate with the best validation accuracy.
 */
export function trainNgram(
  config: SentimentTrainingConfig,
  data: {
    trainTokens: string[][];
    validationTokens: string[][];
    train: { label: number }[];
    validation: { label: number }[];
  },
  seed: number,
  signal: AbortSignal | undefined,
): TrainedNgram {
  const model = NgramModel.fit(data.trainTokens, config.ngram);
  throwIfAborted(signal);
  const trainRows = data.trainTokens.map((tokens) => model.vectorize(tokens));
  const validationRows = data.validationTokens.map((tokens) => model.vectorize(tokens));
  const trainLabels = data.train.map((example) => example.label);
  const validationLabels = data.validation.map((example) => example.label);
  const candidates =
    validationRows.length > 0 && config.ngramL2Candidates.length > 0
      ? config.ngramL2Candidates
      : [config.ngram.l2];
  let best: { l2: number; accuracy: number; weights: Float32Array; bias: number } | undefined;
  for (const l2 of candidates) {
    model.weights.fill(0);
    model.bias = 0;
    model.train(
      trainRows,
      trainLabels,
      { ...config.ngram, l2 },
      seed,
      () => signal?.aborted === true,
    );
    throwIfAborted(signal);
    const logits = validationRows.map((row) => model.logit(row));
    const score = accuracy(logits, validationLabels);
    if (!best || score > best.accuracy) {
      best = { l2, accuracy: score, weights: model.weights.slice(), bias: model.bias };
    }
  }
  model.weights.set(best!.weights);
  model.bias = best!.bias;
  return {
    model,
    l2: best!.l2,
    validationAccuracy: best!.accuracy,
    validationLogits: Float32Array.from(validationRows, (row) => model.logit(row)),
  };
}

/** Returns w * cnn + (1 - w) * ngram for each pair of logits. */
export function combineLogits(
  cnn: ArrayLike<number>,
  ngram: ArrayLike<number>,
  cnnWeight: number,
): Float32Array {
  const combined = new Float32Array(cnn.length);
  for (let i = 0; i < cnn.length; i += 1) {
    combined[i] = cnnWeight * cnn[i] + (1 - cnnWeight) * ngram[i];
  }
  return combined;
}

/**
 * Returns the CNN weight from 0 to 1 in steps of 0.05 with the best validation accuracy; ties go
 * to the weight nearest 0.5. Without validation data the weight is 0.5.
 */
export function chooseEnsembleWeight(
  cnn: ArrayLike<number>,
  ngram: ArrayLike<number>,
  labels: ArrayLike<number>,
): number {
  if (labels.length === 0) return 0.5;
  let bestWeight = 0.5;
  let bestAccuracy = -1;
  for (let step = 0; step <= 20; step += 1) {
    const weight = step / 20;
    const score = accuracy(combineLogits(cnn, ngram, weight), labels);
    const better =
      score > bestAccuracy ||
      (score === bestAccuracy && Math.abs(weight - 0.5) < Math.abs(bestWeight - 0.5));
    if (better) {
      bestAccuracy = score;
      bestWeight = weight;
    }
  }
  return bestWeight;
}

/** @module Binary classification metrics stored beside every sentiment model. */
import type { ModelMetrics } from '../core/contracts.ts';

export interface BinaryMetrics extends ModelMetrics {
  precisionPositive: number;
  recallPositive: number;
  precisionNegative: number;
  recallNegative: number;
  /** Rows are true labels [negative, positive], columns predicted labels in the same order. */
  confusionMatrix: [[number, number], [number, number]];
  rocAuc: number;
}

/** Returns the area under the ROC curve by ranking (ties share their average rank). */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = Array.from({ length: labels.length }, (_, i) => i).sort(
    (a, b) => scores[a] - scores[b],
  );
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j += 1;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k += 1) {
      if (labels[order[k]] === 1) {
        positives += 1;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const ratio = (numerator: number, denominator: number) =>
  denominator === 0 ? 0 : numerator / denominator;

/**
 * Computes accuracy, per-class precision and recall, the confusion matrix and ROC-AUC.
 *
 * @param labels 1 positive, 0 negative.
 * @param probabilities P(positive); 0.5 and above predicts positive.
 */
export function binaryMetrics(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
): BinaryMetrics {
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i += 1) {
    const predicted = probabilities[i] >= 0.5;
    if (labels[i] === 1) {
      if (predicted) tp += 1;
      else fn += 1;
    } else if (predicted) fp += 1;
    else tn += 1;
  }
  const n = labels.length;
  return {
    accuracy: ratio(tp + tn, n),
    n,
    precisionPositive: ratio(tp, tp + fp),
    recallPositive: ratio(tp, tp + fn),
    precisionNegative: ratio(tn, tn + fn),
    recallNegative: ratio(tn, tn + fp),
    confusionMatrix: [
      [tn, fp],
      [fn, tp],
    ],
    rocAuc: rocAuc(labels, probabilities),
  };
}

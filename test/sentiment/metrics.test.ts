import { describe, expect, it } from 'vitest';
import { binaryMetrics, rocAuc } from '../../src/training/metrics.ts';

describe('binaryMetrics', () => {
  it('counts the confusion matrix and per-class scores', () => {
    const labels = [1, 1, 1, 0, 0, 0];
    const scores = [0.9, 0.6, 0.2, 0.4, 0.7, 0.1];
    const metrics = binaryMetrics(labels, scores);
    expect(metrics.confusionMatrix).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(metrics.accuracy).toBeCloseTo(4 / 6);
    expect(metrics.precisionPositive).toBeCloseTo(2 / 3);
    expect(metrics.recallNegative).toBeCloseTo(2 / 3);
    expect(metrics.n).toBe(6);
  });

  it('computes ROC-AUC with ties', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBeCloseTo(0.5);
    expect(Number.isNaN(rocAuc([1, 1], [0.2, 0.3]))).toBe(true);
  });
});

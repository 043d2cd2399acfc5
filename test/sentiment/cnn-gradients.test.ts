import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  initCnnWeights,
  packBatch,
  projectedLogits,
  TextCnn,
  type CnnConfig,
  type CnnWeights,
} from '../../src/training/engine/cnn.ts';
import { createRandom } from '../../src/training/engine/random.ts';
import { buildLayersModel, jsMatMul, setLayersWeights } from '../../src/training/engine/layers.ts';

const CONFIG: CnnConfig = {
  vocabularySize: 400,
  embeddingDim: 5,
  maxLength: 12,
  kernelSizes: [2, 3],
  filters: 4,
  hiddenUnits: 6,
  embeddingDropout: 0.2,
  hiddenDropout: 0.2,
};

/**
 * Returns random token ids from 1 to V-1. Without padding and with a large vocabulary no two
 * windows of a text are equal, so max pooling has no ties (tf.grads would split a tie).
 */
function randomTokens(count: number, length: number, seed: number): number[][] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length }, () => 1 + Math.floor(random() * (CONFIG.vocabularySize - 1))),
  );
}

function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  let scale = 1e-3;
  for (const value of expected) scale = Math.max(scale, Math.abs(value));
  let worst = 0;
  for (let i = 0; i < expected.length; i += 1) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  }
  return worst;
}

/** Computes the loss and gradients of the same network written with tf ops, through tf.grads. */
function referenceGradients(weights: CnnWeights, sequences: number[][], labels: number[]) {
  const { embeddingDim: E, filters: F, hiddenUnits: H, kernelSizes } = CONFIG;
  const width = kernelSizes.length * F;
  const tokens = tf.tensor2d(sequences, undefined, 'int32');
  const targets = tf.tensor2d(labels, [labels.length, 1]);
  const loss = (...parameters: tf.Tensor[]) => {
    const [embedding, hiddenKernel, hiddenBias, outputKernel, outputBias] = parameters;
    const input = tf.gather(embedding, tokens) as tf.Tensor3D;
    const pooled = kernelSizes.map((k, w) => {
      const kernel = (parameters[5 + w] as tf.Tensor).reshape([k, E, F]) as tf.Tensor3D;
      const bias = parameters[5 + kernelSizes.length + w];
      return tf.relu(tf.conv1d(input, kernel, 1, 'valid').add(bias)).max(1);
    });
    const features = tf.concat(pooled, 1);
    const hidden = tf.relu(tf.matMul(features, hiddenKernel.reshape([width, H])).add(hiddenBias));
    const logits = tf.matMul(hidden, outputKernel.reshape([H, 1])).add(outputBias);
    return tf.losses.sigmoidCrossEntropy(targets, logits) as tf.Scalar;
  };
  const inputs = [
    tf.tensor2d(weights.embedding, [CONFIG.vocabularySize, E]),
    tf.tensor1d(weights.hiddenKernel),
    tf.tensor1d(weights.hiddenBias),
    tf.tensor1d(weights.outputKernel),
    tf.tensor1d(weights.outputBias),
    ...weights.convKernels.map((kernel) => tf.tensor1d(kernel)),
    ...weights.convBiases.map((bias) => tf.tensor1d(bias)),
  ];
  const lossValue = loss(...inputs).dataSync()[0];
  const grads = tf
    .grads(loss)(inputs)
    .map((g) => new Float32Array(g.dataSync()));
  return { lossValue, grads };
}

describe('TextCnn backward pass', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches tf.grads within tolerance', () => {
    const weights = initCnnWeights(CONFIG, 7);
    // Biases away from zero so that some ReLUs are active and some are not.
    weights.convBiases.forEach((bias) => bias.forEach((_, i) => (bias[i] = 0.05 * (i - 1))));
    weights.hiddenBias.forEach((_, i) => (weights.hiddenBias[i] = 0.02 * (i - 2)));
    const sequences = randomTokens(6, CONFIG.maxLength, 3);
    const labels = [1, 0, 1, 1, 0, 0];
    const cnn = new TextCnn(CONFIG, weights, jsMatMul);
    const { loss, grads } = cnn.computeGradients(
      packBatch(sequences, CONFIG),
      new Float32Array(labels),
    );
    const reference = referenceGradients(weights, sequences, labels);
    expect(Math.abs(loss - reference.lossValue)).toBeLessThan(1e-5);
    const pairs: [string, Float32Array, Float32Array][] = [
      ['embedding', grads.embedding, reference.grads[0]],
      ['hidden kernel', grads.hiddenKernel, reference.grads[1]],
      ['hidden bias', grads.hiddenBias, reference.grads[2]],
      ['output kernel', grads.outputKernel, reference.grads[3]],
      ['output bias', grads.outputBias, reference.grads[4]],
      ['conv kernel k2', grads.convKernels[0], reference.grads[5]],
      ['conv kernel k3', grads.convKernels[1], reference.grads[6]],
      ['conv bias k2', grads.convBiases[0], reference.grads[7]],
      ['conv bias k3', grads.convBiases[1], reference.grads[8]],
    ];
    for (const [name, actual, expected] of pairs) {
      expect(actual.length, name).toBe(expected.length);
      expect(maxRelativeError(actual, expected), name).toBeLessThan(1e-4);
    }
    expect(grads.embedding.some((value) => value !== 0)).toBe(true);
  });

  it('gives the layers model output on trimmed batches', () => {
    const weights = initCnnWeights(CONFIG, 11);
    weights.convBiases.forEach((bias) => bias.fill(0.03));
    // A trained padding row, as model.fit leaves it: padding windows are still all equal.
    weights.embedding.fill(-0.02, 0, CONFIG.embeddingDim);
    const sequences = [[3, 4, 5], [7, 8, 9, 10, 11, 2, 3], [5], []];
    const cnn = new TextCnn(CONFIG, weights, jsMatMul);
    const trimmed = packBatch(sequences, CONFIG);
    expect(trimmed.length).toBeLessThan(CONFIG.maxLength);
    const ours = cnn.predict(trimmed);
    const model = buildLayersModel(tf, CONFIG);
    setLayersWeights(tf, model, CONFIG, weights);
    const padded = sequences.map((sequence) => [
      ...sequence,
      ...new Array(CONFIG.maxLength - sequence.length).fill(0),
    ]);
    const input = tf.tensor2d(padded, undefined, 'int32');
    const output = model.predict(input) as tf.Tensor;
    const expected = output.dataSync();
    tf.dispose([input, output]);
    model.dispose();
    for (let i = 0; i < sequences.length; i += 1) {
      expect(Math.abs(ours[i] - expected[i])).toBeLessThan(1e-5);
    }
  });

  it('lowers the training loss on a separable toy task', () => {
    const config = { ...CONFIG, embeddingDropout: 0, hiddenDropout: 0 };
    const cnn = new TextCnn(config, initCnnWeights(config, 5), jsMatMul);
    const sequences = randomTokens(32, 8, 9).map((tokens, i) => {
      tokens[i % 8] = i % 2 === 0 ? 2 : 3;
      return tokens;
    });
    const labels = new Float32Array(sequences.map((_, i) => (i % 2 === 0 ? 1 : 0)));
    const batch = packBatch(sequences, config);
    let random = 1;
    const next = () => (random = (random * 16807) % 2147483647) / 2147483647;
    const first = cnn.trainStep(batch, labels, { learningRate: 0.01 }, next).loss;
    let last = first;
    for (let i = 0; i < 60; i += 1)
      last = cnn.trainStep(batch, labels, { learningRate: 0.01 }, next).loss;
    expect(last).toBeLessThan(first * 0.5);
    // The padding row never moves.
    expect(cnn.weights.embedding.subarray(0, config.embeddingDim).every((v) => v === 0)).toBe(true);
  });
});

describe('projectedLogits', () => {
  it('matches the im2col forward pass', () => {
    const weights = initCnnWeights(CONFIG, 13);
    weights.convBiases.forEach((bias) => bias.fill(0.02));
    // A trained padding row, as model.fit leaves it.
    weights.embedding.fill(0.03, 0, CONFIG.embeddingDim);
    const sequences = [[3, 4, 5, 3, 4], [7, 8, 9, 10, 11, 2, 3, 7, 7, 7, 1, 2], [5], []].map(
      (ids) => Int32Array.from(ids),
    );
    const cnn = new TextCnn(CONFIG, weights, jsMatMul);
    const expected = cnn.logits(packBatch(sequences, CONFIG));
    const actual = projectedLogits(weights, CONFIG, sequences, jsMatMul);
    for (let i = 0; i < sequences.length; i += 1) {
      expect(Math.abs(actual[i] - expected[i]), `text ${i}`).toBeLessThan(1e-5);
    }
  });
});

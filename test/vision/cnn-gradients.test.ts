import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CnnParams,
  type CnnShape,
  PARAM_NAMES,
  backward,
  forward,
  initParams,
} from '../../src/vision/cnn/network.ts';
import { softmaxCrossEntropy } from '../../src/vision/cnn/ops.ts';
import { createRandom } from '../../src/vision/data.ts';

const SHAPE: CnnShape = { kernel1: 3, filters1: 2, kernel2: 3, filters2: 3, denseUnits: 5 };
const BATCH = 3;

/** Computes the same network's loss with tfjs ops, so that tf.grads can differentiate it. */
function referenceLoss(params: tf.Tensor[], x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar {
  const [w1, b1, w2, b2, w3, b3, w4, b4] = params;
  const conv1 = tf.relu(
    tf.add(tf.conv2d(x, w1.reshape([3, 3, 1, SHAPE.filters1]) as tf.Tensor4D, 1, 'same'), b1),
  ) as tf.Tensor4D;
  const pool1 = tf.maxPool(conv1, 2, 2, 'valid');
  const kernel2 = w2.reshape([3, 3, SHAPE.filters1, SHAPE.filters2]) as tf.Tensor4D;
  const conv2 = tf.relu(tf.add(tf.conv2d(pool1, kernel2, 1, 'same'), b2)) as tf.Tensor4D;
  const flat = tf.maxPool(conv2, 2, 2, 'valid').reshape([BATCH, 7 * 7 * SHAPE.filters2]);
  const hidden = tf.relu(tf.add(tf.matMul(flat, w3.reshape([-1, SHAPE.denseUnits])), b3));
  const logits = tf.add(tf.matMul(hidden as tf.Tensor2D, w4.reshape([SHAPE.denseUnits, 10])), b4);
  return tf.losses.softmaxCrossEntropy(labels, logits as tf.Tensor2D) as tf.Scalar;
}

function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  let scale = 1e-6;
  let error = 0;
  for (let i = 0; i < expected.length; i += 1) {
    scale = Math.max(scale, Math.abs(expected[i]));
    error = Math.max(error, Math.abs(actual[i] - expected[i]));
  }
  return error / scale;
}

describe('CNN explicit backward pass', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches tf.grads on the cpu backend', () => {
    const random = createRandom(7);
    const params = initParams(SHAPE, random);
    for (const name of PARAM_NAMES) {
      if (name.startsWith('b')) params[name].forEach((_, i, a) => (a[i] = random() * 0.2 - 0.1));
    }
    const x = Float32Array.from({ length: BATCH * 784 }, () => random());
    const labels = Uint8Array.from([3, 7, 0]);

    const before = tf.memory().numTensors;
    const { logits, cache } = forward(tf, SHAPE, params, x, BATCH);
    const { loss, gradient } = softmaxCrossEntropy(logits, labels, 10);
    const ours: CnnParams = backward(tf, SHAPE, params, cache, gradient);
    expect(tf.memory().numTensors).toBe(before);

    const tensors = PARAM_NAMES.map((name) => tf.tensor(params[name]));
    const input = tf.tensor4d(x, [BATCH, 28, 28, 1]);
    const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat());
    const referenceValue = tf.tidy(
      () => referenceLoss(tensors, input, oneHot as tf.Tensor2D).dataSync()[0],
    );
    const grads = tf.tidy(() =>
      tf.grads((...p: tf.Tensor[]) => referenceLoss(p, input, oneHot as tf.Tensor2D))(tensors),
    );
    const expected = grads.map((g) => g.dataSync() as Float32Array);
    tf.dispose([...tensors, ...grads, input, oneHot]);

    expect(loss).toBeCloseTo(referenceValue, 4);
    PARAM_NAMES.forEach((name, i) => {
      const error = maxRelativeError(ours[name], expected[i]);
      expect(error, `gradient of ${name}`).toBeLessThan(1e-3);
    });
    expect(maxRelativeError(ours.w1, new Float32Array(ours.w1.length))).toBeGreaterThan(0);
  });
});

/**
 * @module Training with tf.LayersModel.fit, used when a native backend (tfjs-node or
 * tfjs-node-gpu) provides fast autodiff kernels. It trains the same architecture as the
 * Float32Array path and returns the same result shape.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from '../../core/tf.ts';
import { type CnnWeights } from '../engine/cnn.ts';
import { buildLayersModel, readLayersWeights } from '../engine/layers.ts';
import { throwIfAborted, type FastTrainOptions, type FastTrainResult } from './fast-train.ts';

function padAll(sequences: Int32Array[], maxLength: number): Int32Array {
  const ids = new Int32Array(sequences.length * maxLength);
  sequences.forEach((sequence, i) => ids.set(sequence.subarray(0, maxLength), i * maxLength));
  return ids;
}

/**
 * Trains with model.fit on post-padded [n, maxLength] tensors, one fit call per epoch so that the
 * weights of the best validation epoch can be kept.
 *
 * NOTE: this path runs only where tfjs-node or tfjs-node-gpu loads; no run of it was recorded on
 * the machine the shipped models were trained on.
 */
export async function trainCnnWithFit(
  tf: Tf,
  train: { sequences: Int32Array[]; labels: Float32Array },
  validation: { sequences: Int32Array[]; labels: Float32Array },
  options: Omit<FastTrainOptions, 'matMul'>,
): Promise<FastTrainResult> {
  const { config } = options;
  const model = buildLayersModel(tf, config);
  const optimizer = tf.train.adam(options.learningRate);
  model.compile({
    optimizer,
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  const x = tf.tensor2d(padAll(train.sequences, config.maxLength), undefined, 'int32');
  const reshapedX = x.reshape([train.sequences.length, config.maxLength]);
  const y = tf.tensor2d(train.labels, [train.labels.length, 1]);
  const validationX = tf.tensor2d(
    padAll(validation.sequences, config.maxLength),
    [validation.sequences.length, config.maxLength],
    'int32',
  );
  const validationAccuracy: number[] = [];
  const secondsPerEpoch: number[] = [];
  let best:
    { epoch: number; accuracy: number; weights: CnnWeights; logits: Float32Array } | undefined;
  const batches = Math.ceil(train.sequences.length / options.batchSize);
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch += 1) {
      const started = Date.now();
      await model.fit(reshapedX, y, {
        epochs: 1,
        batchSize: options.batchSize,
        shuffle: true,
        verbose: 0,
        callbacks: {
          onBatchEnd: async (batch: number, logs?: tfTypes.Logs) => {
            if (options.signal?.aborted) model.stopTraining = true;
            options.onBatch?.({
              phase: 'training',
              epoch,
              epochs: options.epochs,
              batch: batch + 1,
              batches,
              loss: logs?.loss,
              accuracy: logs?.acc ?? logs?.accuracy,
              validationAccuracy: validationAccuracy.at(-1),
            });
          },
        },
      });
      throwIfAborted(options.signal);
      secondsPerEpoch.push((Date.now() - started) / 1000);
      const probabilities = tf.tidy(() =>
        (model.predict(validationX, { batchSize: 256 }) as tfTypes.Tensor).dataSync(),
      );
      const logits = Float32Array.from(probabilities, (p) => {
        const clamped = Math.min(1 - 1e-7, Math.max(1e-7, p));
        return Math.log(clamped / (1 - clamped));
      });
      let correct = 0;
      logits.forEach((z, i) => (correct += z > 0 === validation.labels[i] > 0.5 ? 1 : 0));
      const accuracy = logits.length > 0 ? correct / logits.length : 0;
      validationAccuracy.push(accuracy);
      if (!best || accuracy > best.accuracy) {
        best = { epoch, accuracy, weights: readLayersWeights(model, config), logits };
      }
    }
  } finally {
    tf.dispose([x, reshapedX, y, validationX]);
    model.dispose();
    optimizer.dispose();
  }
  if (!best) throw new Error('model.fit ran no epoch');
  return {
    weights: best.weights,
    validationAccuracy,
    bestEpoch: best.epoch,
    validationLogits: best.logits,
    secondsPerEpoch,
  };
}

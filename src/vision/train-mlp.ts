/**
 * @module The teaching baseline, reproduced from TensorFlow's `fully_connected_feed` tutorial:
 * 784-128-32-10 with ReLU, weights from a truncated normal with standard deviation
 * 1/sqrt(fan-in), zero biases, softmax cross-entropy, plain SGD at 0.01, batches of 100, 2000
 * steps, pixels scaled to [0, 1].
 */
import type * as tfjs from '@tensorflow/tfjs';
import { getConfig } from '../core/config.ts';
import { type ModelMetadata, sealModelDir } from '../core/model-dir.ts';
import { type Tf, initTf } from '../core/tf.ts';
import type { TrainOptions } from '../training/registry.ts';
import { CLASSES, PIXELS, createRandom, shuffleInPlace, stratifiedSplit } from './data.ts';
import { randomSubset } from './train-cnn.ts';
import {
  PREPROCESSING_VERSION,
  describeDigitDataset,
  loadTrainingSet,
  saveAndScore,
  throttleProgress,
  throwIfAborted,
  yieldToEventLoop,
} from './train-common.ts';

export const MLP_SETTINGS = {
  hiddenUnits: [128, 32],
  learningRate: 0.01,
  batchSize: 100,
  steps: 2000,
  validationShare: 0.1,
} as const;

/** Builds the untrained 784-128-32-10 model with the tutorial's initialisation. */
export function buildMlp(tf: Tf, seed: number): tfjs.LayersModel {
  const [hidden1, hidden2] = MLP_SETTINGS.hiddenUnits;
  const layer = (units: number, fanIn: number, activation: 'relu' | 'softmax', index: number) =>
    tf.layers.dense({
      units,
      activation,
      inputShape: index === 0 ? [PIXELS] : undefined,
      kernelInitializer: tf.initializers.truncatedNormal({
        stddev: 1 / Math.sqrt(fanIn),
        seed: seed + index,
      }),
      biasInitializer: 'zeros',
    });
  return tf.sequential({
    layers: [
      layer(hidden1, PIXELS, 'relu', 0),
      layer(hidden2, hidden1, 'relu', 1),
      layer(CLASSES, hidden2, 'softmax', 2),
    ],
  });
}

/**
 * Trains the MLP and writes a sealed model version into `options.outDir`. `options.epochs`, when
 * given, replaces the 2000 steps by that many passes over the training split.
 *
 * @throws NunchiError TRAINING_FAILED when `options.signal` aborts the run.
 */
export async function trainDigitsMlp(options: TrainOptions): Promise<ModelMetadata> {
  const started = Date.now();
  const report = throttleProgress(options.onProgress);
  const seed = options.seed ?? 1;
  const random = createRandom(seed);
  const { tf, info } = await initTf(getConfig().TF_BACKEND);
  const source = await loadTrainingSet(options.dataPath);
  const limited = options.limit ? randomSubset(source.set, options.limit, random) : source.set;
  const { train, validation } = stratifiedSplit(limited, MLP_SETTINGS.validationShare, random);
  const batchSize = Math.min(MLP_SETTINGS.batchSize, train.count);
  const batchesPerEpoch = Math.ceil(train.count / batchSize);
  const steps = options.epochs ? options.epochs * batchesPerEpoch : MLP_SETTINGS.steps;
  const epochs = Math.ceil(steps / batchesPerEpoch);
  const model = buildMlp(tf, seed);
  try {
    model.compile({
      optimizer: tf.train.sgd(MLP_SETTINGS.learningRate),
      loss: 'categoricalCrossentropy',
    });
    const order = Uint32Array.from({ length: train.count }, (_, i) => i);
    const images = new Float32Array(batchSize * PIXELS);
    const labels = new Uint8Array(batchSize);
    let lossSum = 0;
    for (let step = 0; step < steps; step += 1) {
      throwIfAborted('digits-mlp', options.signal);
      const batch = step % batchesPerEpoch;
      if (batch === 0) shuffleInPlace(order, random);
      const start = batch * batchSize;
      const size = Math.min(batchSize, train.count - start);
      for (let i = 0; i < size; i += 1) {
        const index = order[start + i];
        images.set(train.images.subarray(index * PIXELS, (index + 1) * PIXELS), i * PIXELS);
        labels[i] = train.labels[index];
      }
      const x = tf.tensor2d(images.subarray(0, size * PIXELS), [size, PIXELS]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels.subarray(0, size), 'int32'), CLASSES));
      const loss = (await model.trainOnBatch(x, y)) as number;
      x.dispose();
      y.dispose();
      lossSum += loss;
      const elapsed = (Date.now() - started) / 1000;
      report({
        phase: 'training',
        epoch: Math.floor(step / batchesPerEpoch) + 1,
        epochs,
        batch: batch + 1,
        batches: batchesPerEpoch,
        loss: lossSum / (step + 1),
        etaSeconds: (elapsed / (step + 1)) * (steps - step - 1),
      });
      if (step % 20 === 0) await yieldToEventLoop();
    }
    const trainingSeconds = (Date.now() - started) / 1000;
    report({ phase: 'evaluating', epoch: epochs, epochs, batch: 0, batches: 0 });
    const { metrics, validationMetrics, test } = await saveAndScore(
      tf,
      model,
      options.outDir,
      validation,
      options.limit,
    );
    const metadata = await sealModelDir(options.outDir, {
      name: 'digits-mlp',
      version: options.version,
      kind: 'mlp',
      createdAt: new Date().toISOString(),
      preprocessingVersion: PREPROCESSING_VERSION,
      hyperParameters: {
        layers: [PIXELS, ...MLP_SETTINGS.hiddenUnits, CLASSES],
        activation: 'relu',
        initialiser: 'truncated normal, stddev 1/sqrt(fan-in); zero biases',
        optimizer: 'sgd',
        learningRate: MLP_SETTINGS.learningRate,
        batchSize,
        steps,
        inputScale: 'pixels / 255, white strokes on black',
        weightStorage: 'float16',
        seed,
      },
      dataset: describeDigitDataset(
        source,
        { train: train.count, validation: validation.count, test: test?.count ?? 0 },
        seed,
      ),
      metrics,
      validationMetrics,
      trainingSeconds,
      backend: { name: info.name, gpu: info.gpu },
    });
    report({ phase: 'done', epoch: epochs, epochs, batch: 0, batches: 0 });
    return metadata;
  } finally {
    model.optimizer?.dispose();
    model.dispose();
  }
}

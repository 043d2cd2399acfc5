/**
 * @module Trains the digit CNN on augmented digits with the explicit forward and backward pass of
 * cnn/network.ts. The epoch with the best accuracy on a validation split carved from the training
 * data is exported as a tfjs LayersModel into a sealed model version directory.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { getConfig } from '../core/config.ts';
import { getLogger } from '../core/logger.ts';
import { type ModelMetadata, sealModelDir } from '../core/model-dir.ts';
import { type Tf, initTf } from '../core/tf.ts';
import type { TrainOptions } from '../training/registry.ts';
import { type AugmentOptions, DEFAULT_AUGMENT, augmentDigit } from './augment.ts';
import {
  Adam,
  type CnnParams,
  type CnnShape,
  DEFAULT_CNN_SHAPE,
  PARAM_NAMES,
  initParams,
  predictClasses,
  trainStep,
} from './cnn/network.ts';
import {
  CLASSES,
  type DigitSet,
  IMAGE_SIZE,
  PIXELS,
  createRandom,
  shuffleInPlace,
  stratifiedSplit,
  subset,
} from './data.ts';
import {
  PREPROCESSING_VERSION,
  describeDigitDataset,
  loadTrainingSet,
  saveAndScore,
  scorePredictions,
  throttleProgress,
  throwIfAborted,
  yieldToEventLoop,
} from './train-common.ts';

/** Training settings of the CNN; the defaults are what the shipped model used. */
export interface CnnTrainingSettings {
  shape: CnnShape;
  epochs: number;
  batchSize: number;
  learningRate: number;
  finalLearningRate: number;
  dropout: [number, number];
  validationShare: number;
  /** Distortions applied to every training digit, or undefined for none. */
  augment?: AugmentOptions;
  /** Note on how the settings were chosen, stored in the metadata. */
  selection?: string;
}

export const DEFAULT_CNN_TRAINING: CnnTrainingSettings = {
  shape: DEFAULT_CNN_SHAPE,
  epochs: 24,
  batchSize: 64,
  learningRate: 1e-3,
  finalLearningRate: 1e-5,
  dropout: [0.2, 0.4],
  validationShare: 0.1,
  augment: DEFAULT_AUGMENT,
};

/** Builds the serving LayersModel of `shape` and loads `params` into it. */
export function buildCnnLayersModel(tf: Tf, shape: CnnShape, params: CnnParams): tfjs.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
        filters: shape.filters1,
        kernelSize: shape.kernel1,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({
        filters: shape.filters2,
        kernelSize: shape.kernel2,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: shape.denseUnits, activation: 'relu' }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });
  const weights = tf.tidy(() => [
    tf.tensor4d(params.w1, [shape.kernel1, shape.kernel1, 1, shape.filters1]),
    tf.tensor1d(params.b1),
    tf.tensor4d(params.w2, [shape.kernel2, shape.kernel2, shape.filters1, shape.filters2]),
    tf.tensor1d(params.b2),
    tf.tensor2d(params.w3, [params.w3.length / shape.denseUnits, shape.denseUnits]),
    tf.tensor1d(params.b3),
    tf.tensor2d(params.w4, [shape.denseUnits, CLASSES]),
    tf.tensor1d(params.b4),
  ]);
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

function copyParams(params: CnnParams): CnnParams {
  return Object.fromEntries(
    PARAM_NAMES.map((name) => [name, params[name].slice()]),
  ) as unknown as CnnParams;
}

/**
 * Trains the CNN and writes a sealed model version into `options.outDir`.
 *
 * @throws NunchiError TRAINING_FAILED when `options.signal` aborts the run.
 */
export async function trainDigitsCnn(
  options: TrainOptions,
  settings: CnnTrainingSettings = DEFAULT_CNN_TRAINING,
): Promise<ModelMetadata> {
  const log = getLogger('train');
  const started = Date.now();
  const report = throttleProgress(options.onProgress);
  const epochs = options.epochs ?? settings.epochs;
  const seed = options.seed ?? 1;
  const random = createRandom(seed);
  const { tf, info } = await initTf(getConfig().TF_BACKEND);
  report({ phase: 'loading', epoch: 0, epochs, batch: 0, batches: 0 });
  const source = await loadTrainingSet(options.dataPath);
  const limited = options.limit ? randomSubset(source.set, options.limit, random) : source.set;
  const { train, validation } = stratifiedSplit(limited, settings.validationShare, random);
  const shape = settings.shape;
  let params = initParams(shape, random);
  const optimizer = new Adam(params);
  const batchesPerEpoch = Math.ceil(train.count / settings.batchSize);
  const totalSteps = epochs * batchesPerEpoch;
  const order = Uint32Array.from({ length: train.count }, (_, i) => i);
  const batchImages = new Float32Array(settings.batchSize * PIXELS);
  const batchLabels = new Uint8Array(settings.batchSize);
  let best: { params: CnnParams; accuracy: number; epoch: number } | undefined;
  const history: {
    epoch: number;
    loss: number;
    accuracy: number;
    validationAccuracy?: number;
  }[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch += 1) {
    shuffleInPlace(order, random);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let batch = 0; batch < batchesPerEpoch; batch += 1) {
      throwIfAborted('digits-cnn', options.signal);
      const start = batch * settings.batchSize;
      const size = Math.min(settings.batchSize, train.count - start);
      for (let i = 0; i < size; i += 1) {
        const index = order[start + i];
        const image = train.images.subarray(index * PIXELS, (index + 1) * PIXELS);
        const target = batchImages.subarray(i * PIXELS, (i + 1) * PIXELS);
        if (settings.augment) augmentDigit(image, target, random, settings.augment);
        else target.set(image);
        batchLabels[i] = train.labels[index];
      }
      const progress = step / Math.max(1, totalSteps);
      const rate =
        settings.finalLearningRate +
        0.5 *
          (settings.learningRate - settings.finalLearningRate) *
          (1 + Math.cos(Math.PI * progress));
      const result = trainStep(
        tf,
        shape,
        params,
        optimizer,
        batchImages.subarray(0, size * PIXELS),
        batchLabels.subarray(0, size),
        rate,
        { dropout: settings.dropout, random },
      );
      step += 1;
      lossSum += result.loss * size;
      correct += result.correct;
      seen += size;
      const elapsed = (Date.now() - started) / 1000;
      report({
        phase: 'training',
        epoch,
        epochs,
        batch: batch + 1,
        batches: batchesPerEpoch,
        loss: lossSum / seen,
        accuracy: correct / seen,
        etaSeconds: (elapsed / step) * (totalSteps - step),
      });
      await yieldToEventLoop();
    }
    let validationAccuracy: number | undefined;
    if (validation.count > 0) {
      const predicted = predictClasses(tf, shape, params, validation.images, validation.count);
      validationAccuracy = scorePredictions(predicted, validation.labels).accuracy;
    }
    history.push({ epoch, loss: lossSum / seen, accuracy: correct / seen, validationAccuracy });
    log.info({ epoch, loss: lossSum / seen, validationAccuracy }, 'digits-cnn epoch finished');
    report({
      phase: 'training',
      epoch,
      epochs,
      batch: batchesPerEpoch,
      batches: batchesPerEpoch,
      loss: lossSum / seen,
      accuracy: correct / seen,
      validationAccuracy,
    });
    // Without a validation split (a final run on all the data) the last epoch is kept.
    if (!best || validationAccuracy === undefined || validationAccuracy >= best.accuracy) {
      best = { params: copyParams(params), accuracy: validationAccuracy ?? 0, epoch };
    }
  }
  params = best ? best.params : params;
  const trainingSeconds = (Date.now() - started) / 1000;

  report({ phase: 'evaluating', epoch: epochs, epochs, batch: 0, batches: 0 });
  const model = buildCnnLayersModel(tf, shape, params);
  try {
    const { metrics, validationMetrics, test } = await saveAndScore(
      tf,
      model,
      options.outDir,
      validation,
      options.limit,
      train,
    );
    const metadata = await sealModelDir(options.outDir, {
      name: 'digits-cnn',
      version: options.version,
      kind: 'cnn',
      createdAt: new Date().toISOString(),
      preprocessingVersion: PREPROCESSING_VERSION,
      hyperParameters: {
        ...shape,
        epochs,
        selectedEpoch: best?.epoch,
        batchSize: settings.batchSize,
        optimizer: 'adam',
        learningRate: settings.learningRate,
        finalLearningRate: settings.finalLearningRate,
        schedule: 'cosine per step',
        dropout: settings.dropout,
        augmentation: settings.augment ?? 'none',
        inputScale: 'pixels / 255, white strokes on black',
        weightStorage: 'float16',
        seed,
        selection: settings.selection,
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
      history:
        validation.count > 0 ? history : history.map(({ validationAccuracy: _, ...rest }) => rest),
    });
    report({ phase: 'done', epoch: epochs, epochs, batch: 0, batches: 0 });
    return metadata;
  } finally {
    model.dispose();
  }
}

/** Returns `limit` digits drawn at random from `set` (at least two per class on average). */
export function randomSubset(set: DigitSet, limit: number, random: () => number): DigitSet {
  const order = shuffleInPlace(
    Uint32Array.from({ length: set.count }, (_, i) => i),
    random,
  );
  const count = Math.min(set.count, Math.max(CLASSES * 2, Math.floor(limit)));
  return subset(set, order.subarray(0, count));
}

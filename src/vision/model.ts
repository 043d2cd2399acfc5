/**
 * @module Loads a digit model version for serving and runs it on 28x28 inputs. The model is the
 * standard tfjs LayersModel that the trainers export, so it runs on whatever backend is loaded.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { getConfig } from '../core/config.ts';
import type { DigitModelName } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import { type ModelMetadata, verifyModelDir } from '../core/model-dir.ts';
import { type Tf, initTf } from '../core/tf.ts';
import { CLASSES, IMAGE_SIZE, PIXELS } from './data.ts';
import { loadLayersModel } from './model-io.ts';
import { PREPROCESSING_VERSION } from './train-common.ts';

/** A loaded digit model. Call `dispose` to free its weights. */
export interface DigitModel {
  name: DigitModelName;
  version: string;
  metadata: ModelMetadata;
  /** Returns the 10 class probabilities of each 28x28 input (pixels from 0 to 1). */
  predict(inputs: Float32Array[]): Float32Array[];
  dispose(): void;
}

const DIGIT_MODELS: readonly string[] = ['digits-cnn', 'digits-mlp'];

/**
 * Verifies the model version in `dir` against its checksums and loads it.
 *
 * @throws NunchiError MODEL_NOT_FOUND or MODEL_INVALID from the directory check, MODEL_MISMATCH
 *   when the directory contains a model that is not a digit model or that expects another input
 *   format.
 */
export async function loadDigitModel(dir: string): Promise<DigitModel> {
  const metadata = await verifyModelDir(dir);
  if (!DIGIT_MODELS.includes(metadata.name)) {
    throw new NunchiError(
      'MODEL_MISMATCH',
      `${dir} holds ${metadata.name}; expected a digit model (${DIGIT_MODELS.join(' or ')})`,
      { dir, name: metadata.name },
    );
  }
  if (metadata.preprocessingVersion !== PREPROCESSING_VERSION) {
    throw new NunchiError(
      'MODEL_MISMATCH',
      `${dir} was trained on input format "${metadata.preprocessingVersion}"; this build ` +
        `prepares "${PREPROCESSING_VERSION}", so retrain the model with this build`,
      { dir, preprocessingVersion: metadata.preprocessingVersion },
    );
  }
  const { tf } = await initTf(getConfig().TF_BACKEND);
  const model = await loadLayersModel(tf, dir);
  const flat = model.inputs[0].shape.length === 2;
  const outputs = model.outputs[0].shape;
  if (outputs[outputs.length - 1] !== CLASSES) {
    model.dispose();
    throw new NunchiError('MODEL_INVALID', `${dir} does not output ${CLASSES} classes`, { dir });
  }
  let disposed = false;
  const digitModel: DigitModel = {
    name: metadata.name as DigitModelName,
    version: metadata.version,
    metadata,
    predict(inputs) {
      if (disposed) {
        throw new NunchiError(
          'MODEL_NOT_FOUND',
          `Model ${metadata.name} ${metadata.version} was disposed`,
        );
      }
      return predictBatch(tf, model, flat, inputs);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
  // One prediction compiles the kernels, so that the first request is as fast as later ones.
  digitModel.predict([new Float32Array(PIXELS)]);
  return digitModel;
}

function predictBatch(
  tf: Tf,
  model: tfjs.LayersModel,
  flat: boolean,
  inputs: Float32Array[],
): Float32Array[] {
  if (inputs.length === 0) return [];
  const batch = new Float32Array(inputs.length * PIXELS);
  inputs.forEach((input, i) => batch.set(input, i * PIXELS));
  const probabilities = tf.tidy(() => {
    const shape: [number, number] | [number, number, number, number] = flat
      ? [inputs.length, PIXELS]
      : [inputs.length, IMAGE_SIZE, IMAGE_SIZE, 1];
    return (model.predict(tf.tensor(batch, shape)) as tfjs.Tensor).dataSync() as Float32Array;
  });
  return inputs.map((_, i) => probabilities.slice(i * CLASSES, (i + 1) * CLASSES));
}

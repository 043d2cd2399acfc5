/**
 * @module Bridges between the Float32Array CNN and TensorFlow.js: a MatMul on tf kernels, the
 * equivalent tf.layers model, and saving or loading that model as model.json + weights.bin in a
 * directory (pure @tensorflow/tfjs has no file:// IOHandler in Node).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { NunchiError } from '../../core/errors.ts';
import type { Tf } from '../../core/tf.ts';
import type { CnnConfig, CnnWeights, MatMul } from './cnn.ts';

export const MODEL_JSON_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/**
 * Returns a MatMul that runs on the active tf backend. Operands are plain 2-D tensors without
 * transpose flags, the fast path of the wasm kernel.
 */
export function createTfMatMul(tf: Tf): MatMul {
  return (a, rows, inner, b, cols) => {
    const left = tf.tensor2d(a, [rows, inner]);
    const right = tf.tensor2d(b, [inner, cols]);
    const product = tf.matMul(left, right);
    const values = product.dataSync() as Float32Array;
    tf.dispose([left, right, product]);
    return values;
  };
}

/** Returns a MatMul in plain JavaScript, for tests and for tiny matrices. */
export const jsMatMul: MatMul = (a, rows, inner, b, cols) => {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r += 1) {
    for (let i = 0; i < inner; i += 1) {
      const x = a[r * inner + i];
      if (x === 0) continue;
      for (let c = 0; c < cols; c += 1) out[r * cols + c] += x * b[i * cols + c];
    }
  }
  return out;
};

/**
 * Builds the tf.layers model equivalent to TextCnn: int32 input [batch, tokens] of any length,
 * output P(positive) [batch, 1]. Layer names are fixed, so weights load by name.
 */
export function buildLayersModel(tf: Tf, config: CnnConfig): tfTypes.LayersModel {
  const input = tf.input({ shape: [null], dtype: 'int32', name: 'tokens' });
  const embedded = tf.layers
    .embedding({
      inputDim: config.vocabularySize,
      outputDim: config.embeddingDim,
      name: 'embedding',
    })
    .apply(input) as tfTypes.SymbolicTensor;
  const dropped = tf.layers
    .dropout({ rate: config.embeddingDropout, name: 'embedding_dropout' })
    .apply(embedded) as tfTypes.SymbolicTensor;
  const branches = config.kernelSizes.map((k) => {
    const conv = tf.layers
      .conv1d({
        filters: config.filters,
        kernelSize: k,
        activation: 'relu',
        padding: 'valid',
        name: `conv_k${k}`,
      })
      .apply(dropped) as tfTypes.SymbolicTensor;
    return tf.layers
      .globalMaxPooling1d({ name: `pool_k${k}` })
      .apply(conv) as tfTypes.SymbolicTensor;
  });
  const pooled =
    branches.length === 1
      ? branches[0]
      : (tf.layers.concatenate({ name: 'pooled' }).apply(branches) as tfTypes.SymbolicTensor);
  const hidden = tf.layers
    .dense({ units: config.hiddenUnits, activation: 'relu', name: 'hidden' })
    .apply(pooled) as tfTypes.SymbolicTensor;
  const hiddenDropped = tf.layers
    .dropout({ rate: config.hiddenDropout, name: 'hidden_dropout' })
    .apply(hidden) as tfTypes.SymbolicTensor;
  const output = tf.layers
    .dense({ units: 1, activation: 'sigmoid', name: 'output' })
    .apply(hiddenDropped) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'text_cnn' });
}

/** Copies `weights` into the layers of `model` built by buildLayersModel for `config`. */
export function setLayersWeights(
  tf: Tf,
  model: tfTypes.LayersModel,
  config: CnnConfig,
  weights: CnnWeights,
): void {
  const { vocabularySize: V, embeddingDim: E, filters: F, hiddenUnits: H } = config;
  const width = config.kernelSizes.length * F;
  tf.tidy(() => {
    model.getLayer('embedding').setWeights([tf.tensor2d(weights.embedding, [V, E])]);
    config.kernelSizes.forEach((k, w) => {
      model
        .getLayer(`conv_k${k}`)
        .setWeights([
          tf.tensor3d(weights.convKernels[w], [k, E, F]),
          tf.tensor1d(weights.convBiases[w]),
        ]);
    });
    model
      .getLayer('hidden')
      .setWeights([tf.tensor2d(weights.hiddenKernel, [width, H]), tf.tensor1d(weights.hiddenBias)]);
    model
      .getLayer('output')
      .setWeights([tf.tensor2d(weights.outputKernel, [H, 1]), tf.tensor1d(weights.outputBias)]);
  });
}

/** Reads the weights of a model built by buildLayersModel back into Float32Arrays. */
export function readLayersWeights(model: tfTypes.LayersModel, config: CnnConfig): CnnWeights {
  const read = (layer: string, index: number) =>
    new Float32Array(model.getLayer(layer).getWeights()[index].dataSync());
  return {
    embedding: read('embedding', 0),
    convKernels: config.kernelSizes.map((k) => read(`conv_k${k}`, 0)),
    convBiases: config.kernelSizes.map((k) => read(`conv_k${k}`, 1)),
    hiddenKernel: read('hidden', 0),
    hiddenBias: read('hidden', 1),
    outputKernel: read('output', 0),
    outputBias: read('output', 1),
  };
}

/** Saves `model` into `dir` as model.json and weights.bin, the tfjs LayersModel format. */
export async function saveLayersModel(
  tf: Tf,
  model: tfTypes.LayersModel,
  dir: string,
): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      if (!weightData || Array.isArray(weightData)) {
        throw new Error('expected the weights as a single ArrayBuffer');
      }
      const manifest = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs }],
      };
      await fs.writeFile(path.join(dir, MODEL_JSON_FILE), JSON.stringify(manifest));
      await fs.writeFile(path.join(dir, WEIGHTS_FILE), Buffer.from(weightData));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weightData.byteLength,
        },
      };
    }),
  );
}

interface LayersManifest {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tfTypes.io.WeightsManifestEntry[] }[];
}

/**
 * Loads model.json + weights.bin from `dir`.
 *
 * @throws NunchiError MODEL_INVALID when the files are unreadable, malformed or of the wrong size.
 */
export async function loadLayersModel(tf: Tf, dir: string): Promise<tfTypes.LayersModel> {
  let manifest: LayersManifest;
  let weights: Buffer;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON_FILE), 'utf8'));
    weights = await fs.readFile(path.join(dir, WEIGHTS_FILE));
  } catch (error) {
    throw new NunchiError(
      'MODEL_INVALID',
      `Cannot read ${MODEL_JSON_FILE} and ${WEIGHTS_FILE} in ${dir}; retrain or restore the model`,
      { dir },
      { cause: error },
    );
  }
  const weightSpecs = manifest.weightsManifest?.flatMap((group) => group.weights) ?? [];
  const expectedBytes = weightSpecs.reduce(
    (sum, spec) => sum + spec.shape.reduce((product, n) => product * n, 1) * 4,
    0,
  );
  if (expectedBytes !== weights.byteLength) {
    throw new NunchiError(
      'MODEL_INVALID',
      `${WEIGHTS_FILE} in ${dir} has ${weights.byteLength} bytes but model.json expects ${expectedBytes}`,
      { dir },
    );
  }
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer;
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs, weightData }),
    );
  } catch (error) {
    throw new NunchiError(
      'MODEL_INVALID',
      `The layers model in ${dir} cannot be built: ${(error as Error).message}`,
      { dir },
      { cause: error },
    );
  }
}

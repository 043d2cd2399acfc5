/**
 * @module Reads and writes a tfjs LayersModel as `model.json` plus `weights.bin` in a model version
 * directory, through an fs IOHandler (tfjs's own file:// handler exists only in tfjs-node).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { NunchiError } from '../core/errors.ts';
import type { Tf } from '../core/tf.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

const float32View = new Float32Array(1);
const bitsView = new Uint32Array(float32View.buffer);

/** Returns the IEEE 754 half-precision bits of `value`, rounded to nearest even. */
export function toFloat16Bits(value: number): number {
  float32View[0] = value;
  const bits = bitsView[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (((bits >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 31) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (remainder > midpoint || (remainder === midpoint && half & 1)) half += 1;
    return sign | half;
  }
  let half = (exponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly rounds up into the exponent.
  if (remainder > 0x1000 || (remainder === 0x1000 && half & 1)) half += 1;
  return sign | half;
}

/**
 * Re-encodes float32 weights as float16 with tfjs's 'float16' weight quantization, which halves the
 * file; tfjs decodes them back to float32 on load.
 */
function quantizeFloat16(
  specs: tfjs.io.WeightsManifestEntry[],
  data: ArrayBuffer,
): { specs: tfjs.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const parts: Uint16Array[] = [];
  const quantized: tfjs.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((product, dim) => product * dim, 1);
    if (spec.dtype !== 'float32' || spec.quantization) {
      throw new Error(`weight ${spec.name} is ${spec.dtype}; only plain float32 weights are saved`);
    }
    const values = new Float32Array(data, offset, count);
    parts.push(Uint16Array.from(values, toFloat16Bits));
    quantized.push({ ...spec, quantization: { dtype: 'float16' } });
    offset += count * 4;
  }
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint16Array(total);
  let position = 0;
  for (const part of parts) {
    joined.set(part, position);
    position += part.length;
  }
  return { specs: quantized, data: joined.buffer };
}

/**
 * Saves `model` into `dir` as model.json (topology and weight manifest) and weights.bin, with the
 * weights stored as float16.
 */
export async function saveLayersModel(tf: Tf, model: tfjs.LayersModel, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await model.save({
    async save(artifacts) {
      const joined = artifacts.weightData
        ? tf.io.CompositeArrayBuffer.join(artifacts.weightData)
        : new ArrayBuffer(0);
      const { specs, data: weightData } = quantizeFloat16(artifacts.weightSpecs ?? [], joined);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: specs }],
      };
      await fs.writeFile(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      await fs.writeFile(path.join(dir, WEIGHTS_BIN), Buffer.from(weightData));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
}

interface ModelJson {
  modelTopology: tfjs.io.ModelArtifacts['modelTopology'];
  weightsManifest: { paths: string[]; weights: tfjs.io.WeightsManifestEntry[] }[];
}

/**
 * Loads the LayersModel saved by `saveLayersModel` from `dir`.
 *
 * @throws NunchiError MODEL_INVALID when model.json or the weights cannot be read or parsed.
 */
export async function loadLayersModel(tf: Tf, dir: string): Promise<tfjs.LayersModel> {
  try {
    const json = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), 'utf8')) as ModelJson;
    const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
    const buffers = await Promise.all(
      json.weightsManifest.flatMap((group) =>
        group.paths.map((file) => fs.readFile(path.join(dir, path.basename(file)))),
      ),
    );
    const joined = Buffer.concat(buffers);
    const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length);
    return await tf.loadLayersModel({
      load: async () => ({ modelTopology: json.modelTopology, weightSpecs, weightData }),
    });
  } catch (error) {
    throw new NunchiError(
      'MODEL_INVALID',
      `Cannot load the layers model in ${dir}: ${(error as Error).message}`,
      { dir },
      { cause: error },
    );
  }
}

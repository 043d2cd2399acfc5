/**
 * @module The digit CNN with an explicit forward and backward pass. It trains on the wasm backend,
 * which lacks the Conv2DBackpropFilter kernel that autodiff needs. Layers: conv(k1, f1) ReLU, 2x2
 * max pool, conv(k2, f2) ReLU, 2x2 max pool, dropout, dense ReLU, dropout, dense softmax.
 * Convolutions use 'same' padding, and tensors are NHWC.
 */
import type { Tf } from '../../core/tf.ts';
import { CLASSES, IMAGE_SIZE } from '../data.ts';
import {
  addBias,
  col2im,
  columnSums,
  im2col,
  im2colTransposed,
  matMul,
  maxPool2,
  maxPool2Backward,
  reluBackwardInPlace,
  reluInPlace,
  softmaxCrossEntropy,
  transpose,
} from './ops.ts';

/** Shape of the CNN; kernels are odd, filters and units are counts. */
export interface CnnShape {
  kernel1: number;
  filters1: number;
  kernel2: number;
  filters2: number;
  denseUnits: number;
}

export const DEFAULT_CNN_SHAPE: CnnShape = {
  kernel1: 5,
  filters1: 16,
  kernel2: 3,
  filters2: 32,
  denseUnits: 128,
};

/** Weights as row-major matrices: conv kernels are [k*k*inChannels, filters]. */
export interface CnnParams {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  w3: Float32Array;
  b3: Float32Array;
  w4: Float32Array;
  b4: Float32Array;
}

export const PARAM_NAMES = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3', 'w4', 'b4'] as const;

const POOLED = IMAGE_SIZE / 4;

/** Returns the length of each parameter array for `shape`. */
export function paramSizes(shape: CnnShape): Record<keyof CnnParams, number> {
  const flat = POOLED * POOLED * shape.filters2;
  return {
    w1: shape.kernel1 * shape.kernel1 * shape.filters1,
    b1: shape.filters1,
    w2: shape.kernel2 * shape.kernel2 * shape.filters1 * shape.filters2,
    b2: shape.filters2,
    w3: flat * shape.denseUnits,
    b3: shape.denseUnits,
    w4: shape.denseUnits * CLASSES,
    b4: CLASSES,
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** He-normal weights for the ReLU layers, Glorot-uniform for the output layer, zero biases. */
export function initParams(shape: CnnShape, random: () => number): CnnParams {
  const sizes = paramSizes(shape);
  const he = (length: number, fanIn: number) => {
    const a = new Float32Array(length);
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < length; i += 1) a[i] = gaussian(random) * std;
    return a;
  };
  const limit = Math.sqrt(6 / (shape.denseUnits + CLASSES));
  const w4 = new Float32Array(sizes.w4);
  for (let i = 0; i < w4.length; i += 1) w4[i] = (random() * 2 - 1) * limit;
  return {
    w1: he(sizes.w1, shape.kernel1 * shape.kernel1),
    b1: new Float32Array(sizes.b1),
    w2: he(sizes.w2, shape.kernel2 * shape.kernel2 * shape.filters1),
    b2: new Float32Array(sizes.b2),
    w3: he(sizes.w3, POOLED * POOLED * shape.filters2),
    b3: new Float32Array(sizes.b3),
    w4,
    b4: new Float32Array(sizes.b4),
  };
}

/** Activations kept from the forward pass for the backward pass. */
interface ForwardCache {
  batch: number;
  x: Float32Array;
  a1: Float32Array;
  argmax1: Int32Array;
  pool1: Float32Array;
  a2: Float32Array;
  argmax2: Int32Array;
  flat: Float32Array;
  hidden: Float32Array;
  mask1?: Float32Array;
  mask2?: Float32Array;
}

function dropoutMask(length: number, rate: number, random: () => number): Float32Array {
  const mask = new Float32Array(length);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < length; i += 1) mask[i] = random() < rate ? 0 : keep;
  return mask;
}

function multiplyInPlace(a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < a.length; i += 1) a[i] *= b[i];
}

/** Options of one forward pass; dropout applies only when `random` is given. */
export interface ForwardOptions {
  dropout?: [number, number];
  random?: () => number;
}

/**
 * Runs the network on x [batch, 28, 28, 1] (pixels from 0 to 1) and returns the logits
 * [batch, 10] and the cache the backward pass needs.
 */
export function forward(
  tf: Tf,
  shape: CnnShape,
  params: CnnParams,
  x: Float32Array,
  batch: number,
  options: ForwardOptions = {},
): { logits: Float32Array; cache: ForwardCache } {
  const { kernel1: k1, filters1: f1, kernel2: k2, filters2: f2, denseUnits: units } = shape;
  const size1 = IMAGE_SIZE;
  const size2 = IMAGE_SIZE / 2;
  const cols1 = im2col(x, batch, size1, size1, 1, k1);
  const a1 = matMul(tf, cols1, params.w1, batch * size1 * size1, k1 * k1, f1);
  addBias(a1, params.b1);
  reluInPlace(a1);
  const pool1 = maxPool2(a1, batch, size1, size1, f1);
  const cols2 = im2col(pool1.out, batch, size2, size2, f1, k2);
  const a2 = matMul(tf, cols2, params.w2, batch * size2 * size2, k2 * k2 * f1, f2);
  addBias(a2, params.b2);
  reluInPlace(a2);
  const pool2 = maxPool2(a2, batch, size2, size2, f2);
  const flat = pool2.out;
  const flatSize = POOLED * POOLED * f2;
  const training = options.random !== undefined && options.dropout !== undefined;
  let mask1: Float32Array | undefined;
  let mask2: Float32Array | undefined;
  if (training && options.dropout![0] > 0) {
    mask1 = dropoutMask(flat.length, options.dropout![0], options.random!);
    multiplyInPlace(flat, mask1);
  }
  const hidden = matMul(tf, flat, params.w3, batch, flatSize, units);
  addBias(hidden, params.b3);
  reluInPlace(hidden);
  if (training && options.dropout![1] > 0) {
    mask2 = dropoutMask(hidden.length, options.dropout![1], options.random!);
    multiplyInPlace(hidden, mask2);
  }
  const logits = matMul(tf, hidden, params.w4, batch, units, CLASSES);
  addBias(logits, params.b4);
  const cache: ForwardCache = {
    batch,
    x,
    a1,
    argmax1: pool1.argmax,
    pool1: pool1.out,
    a2,
    argmax2: pool2.argmax,
    flat,
    hidden,
    mask1,
    mask2,
  };
  return { logits, cache };
}

/** Returns the gradient of the loss for every parameter, given the gradient of the logits. */
export function backward(
  tf: Tf,
  shape: CnnShape,
  params: CnnParams,
  cache: ForwardCache,
  dLogits: Float32Array,
): CnnParams {
  const { kernel1: k1, filters1: f1, kernel2: k2, filters2: f2, denseUnits: units } = shape;
  const { batch } = cache;
  const size1 = IMAGE_SIZE;
  const size2 = IMAGE_SIZE / 2;
  const flatSize = POOLED * POOLED * f2;

  const w4 = matMul(tf, transpose(cache.hidden, batch, units), dLogits, units, batch, CLASSES);
  const b4 = columnSums(dLogits, CLASSES);
  const dHidden = matMul(tf, dLogits, transpose(params.w4, units, CLASSES), batch, CLASSES, units);
  if (cache.mask2) multiplyInPlace(dHidden, cache.mask2);
  reluBackwardInPlace(dHidden, cache.hidden);

  const w3 = matMul(tf, transpose(cache.flat, batch, flatSize), dHidden, flatSize, batch, units);
  const b3 = columnSums(dHidden, units);
  const dFlat = matMul(tf, dHidden, transpose(params.w3, flatSize, units), batch, units, flatSize);
  if (cache.mask1) multiplyInPlace(dFlat, cache.mask1);

  const rows2 = batch * size2 * size2;
  const patch2 = k2 * k2 * f1;
  const dA2 = maxPool2Backward(dFlat, cache.argmax2, cache.a2.length);
  reluBackwardInPlace(dA2, cache.a2);
  const cols2T = im2colTransposed(cache.pool1, batch, size2, size2, f1, k2);
  const w2 = matMul(tf, cols2T, dA2, patch2, rows2, f2);
  const b2 = columnSums(dA2, f2);
  const dCols2 = matMul(tf, dA2, transpose(params.w2, patch2, f2), rows2, f2, patch2);
  const dPool1 = col2im(dCols2, batch, size2, size2, f1, k2);

  const rows1 = batch * size1 * size1;
  const patch1 = k1 * k1;
  const dA1 = maxPool2Backward(dPool1, cache.argmax1, cache.a1.length);
  reluBackwardInPlace(dA1, cache.a1);
  const cols1T = im2colTransposed(cache.x, batch, size1, size1, 1, k1);
  const w1 = matMul(tf, cols1T, dA1, patch1, rows1, f1);
  const b1 = columnSums(dA1, f1);
  return { w1, b1, w2, b2, w3, b3, w4, b4 };
}

/** Adam optimiser state over CnnParams, updated in place. */
export class Adam {
  private readonly m: CnnParams;
  private readonly v: CnnParams;
  private step = 0;

  constructor(
    params: CnnParams,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    const zeros = () =>
      Object.fromEntries(
        PARAM_NAMES.map((name) => [name, new Float32Array(params[name].length)]),
      ) as unknown as CnnParams;
    this.m = zeros();
    this.v = zeros();
  }

  /** Applies one update with learning rate `rate`. */
  update(params: CnnParams, gradients: CnnParams, rate: number): void {
    this.step += 1;
    const correction1 = 1 - this.beta1 ** this.step;
    const correction2 = 1 - this.beta2 ** this.step;
    const stepSize = (rate * Math.sqrt(correction2)) / correction1;
    for (const name of PARAM_NAMES) {
      const p = params[name];
      const g = gradients[name];
      const m = this.m[name];
      const v = this.v[name];
      for (let i = 0; i < p.length; i += 1) {
        m[i] = this.beta1 * m[i] + (1 - this.beta1) * g[i];
        v[i] = this.beta2 * v[i] + (1 - this.beta2) * g[i] * g[i];
        p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) + this.epsilon);
      }
    }
  }
}

/** Runs one training step on a batch and returns its mean loss and correct count. */
export function trainStep(
  tf: Tf,
  shape: CnnShape,
  params: CnnParams,
  optimizer: Adam,
  x: Float32Array,
  labels: Uint8Array,
  rate: number,
  options: ForwardOptions,
): { loss: number; correct: number } {
  const { logits, cache } = forward(tf, shape, params, x, labels.length, options);
  const { loss, correct, gradient } = softmaxCrossEntropy(logits, labels, CLASSES);
  const gradients = backward(tf, shape, params, cache, gradient);
  optimizer.update(params, gradients, rate);
  return { loss, correct };
}

/** Returns the predicted class of each image in x [count, 28, 28, 1], in batches. */
export function predictClasses(
  tf: Tf,
  shape: CnnShape,
  params: CnnParams,
  images: Float32Array,
  count: number,
  batchSize = 250,
): Uint8Array {
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const predictions = new Uint8Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const batch = Math.min(batchSize, count - start);
    const x = images.subarray(start * pixels, (start + batch) * pixels);
    const { logits } = forward(tf, shape, params, x, batch);
    for (let b = 0; b < batch; b += 1) {
      let best = 0;
      for (let j = 1; j < CLASSES; j += 1) {
        if (logits[b * CLASSES + j] > logits[b * CLASSES + best]) best = j;
      }
      predictions[start + b] = best;
    }
  }
  return predictions;
}

/**
 * @module Adam on plain Float32Arrays: a dense update for small layers and a lazy update for
 * embedding rows, which touches only the rows a batch used (the rule of TensorFlow's LazyAdam).
 */

export interface AdamOptions {
  learningRate: number;
  /** @default 0.9 */
  beta1?: number;
  /** @default 0.999 */
  beta2?: number;
  /** @default 1e-7, the Keras default */
  epsilon?: number;
}

/** Adam state of one parameter array: first and second moment estimates. */
export class AdamSlot {
  readonly m: Float32Array;
  readonly v: Float32Array;

  constructor(size: number) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }
}

/** Step-dependent constants shared by every parameter in one Adam step. */
export interface AdamStep {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** learningRate * sqrt(1 - beta2^t) / (1 - beta1^t) */
  stepSize: number;
}

/** Returns the constants of Adam step `t` (counted from 1). */
export function adamStep(options: AdamOptions, t: number): AdamStep {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-7;
  const stepSize = (options.learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
  return { learningRate: options.learningRate, beta1, beta2, epsilon, stepSize };
}

/** Applies one Adam update to `value[from, to)` from `grad` and clears that part of `grad`. */
export function adamUpdate(
  value: Float32Array,
  grad: Float32Array,
  slot: AdamSlot,
  step: AdamStep,
  from = 0,
  to = value.length,
): void {
  const { beta1, beta2, epsilon, stepSize } = step;
  const { m, v } = slot;
  for (let i = from; i < to; i += 1) {
    const g = grad[i];
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    value[i] -= (stepSize * mi) / (Math.sqrt(vi) + epsilon);
    grad[i] = 0;
  }
}

/**
 * Applies a lazy Adam update to the listed rows of a [rows, width] matrix and clears their
 * gradient. Rows outside `rows` keep their value and moments.
 */
export function adamUpdateRows(
  value: Float32Array,
  grad: Float32Array,
  slot: AdamSlot,
  step: AdamStep,
  rows: ArrayLike<number>,
  rowCount: number,
  width: number,
): void {
  for (let r = 0; r < rowCount; r += 1) {
    const from = rows[r] * width;
    adamUpdate(value, grad, slot, step, from, from + width);
  }
}

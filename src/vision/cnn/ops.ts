/**
 * @module Building blocks of the explicit CNN forward and backward passes. Matrix products run as
 * plain 2-D `tf.matMul` (fast on the wasm backend); transposes, im2col, pooling and the other
 * element-wise steps run in Float32Array loops. Tensors are NHWC, row-major.
 */
import type { Tf } from '../../core/tf.ts';

/**
 * Multiplies a [m, k] by b [k, n] with one plain `tf.matMul` and returns the [m, n] product.
 * Every tensor it creates is disposed before it returns.
 */
export function matMul(
  tf: Tf,
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Float32Array {
  const left = tf.tensor2d(a, [m, k]);
  const right = tf.tensor2d(b, [k, n]);
  const product = tf.matMul(left, right);
  const data = product.dataSync() as Float32Array;
  left.dispose();
  right.dispose();
  product.dispose();
  return data;
}

/** Returns the transpose of the row-major [rows, cols] matrix `a`. */
export function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(rows * cols);
  const block = 32;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const rEnd = Math.min(rows, r0 + block);
    for (let c0 = 0; c0 < cols; c0 += block) {
      const cEnd = Math.min(cols, c0 + block);
      for (let r = r0; r < rEnd; r += 1) {
        const rowOffset = r * cols;
        for (let c = c0; c < cEnd; c += 1) result[c * rows + r] = a[rowOffset + c];
      }
    }
  }
  return result;
}

/**
 * Unfolds 'same'-padded k x k patches of x [batch, h, w, c] into rows of a [batch*h*w, k*k*c]
 * matrix. Column (ky*k + kx)*c + channel matches a tfjs conv2d kernel [k, k, c, filters]
 * flattened to [k*k*c, filters].
 */
export function im2col(
  x: Float32Array,
  batch: number,
  h: number,
  w: number,
  c: number,
  k: number,
): Float32Array {
  const pad = (k - 1) >> 1;
  const rowLength = k * k * c;
  const cols = new Float32Array(batch * h * w * rowLength);
  for (let b = 0; b < batch; b += 1) {
    for (let y = 0; y < h; y += 1) {
      for (let xPos = 0; xPos < w; xPos += 1) {
        const row = ((b * h + y) * w + xPos) * rowLength;
        for (let ky = 0; ky < k; ky += 1) {
          const sy = y + ky - pad;
          if (sy < 0 || sy >= h) continue;
          for (let kx = 0; kx < k; kx += 1) {
            const sx = xPos + kx - pad;
            if (sx < 0 || sx >= w) continue;
            const source = ((b * h + sy) * w + sx) * c;
            const target = row + (ky * k + kx) * c;
            for (let ch = 0; ch < c; ch += 1) cols[target + ch] = x[source + ch];
          }
        }
      }
    }
  }
  return cols;
}

/**
 * Returns the transpose of `im2col(x, ...)`, a [k*k*c, batch*h*w] matrix, built directly from x
 * so that the filter gradient needs no separate transpose.
 */
export function im2colTransposed(
  x: Float32Array,
  batch: number,
  h: number,
  w: number,
  c: number,
  k: number,
): Float32Array {
  const pad = (k - 1) >> 1;
  const rows = batch * h * w;
  const result = new Float32Array(k * k * c * rows);
  for (let ky = 0; ky < k; ky += 1) {
    for (let kx = 0; kx < k; kx += 1) {
      for (let ch = 0; ch < c; ch += 1) {
        const out = ((ky * k + kx) * c + ch) * rows;
        for (let b = 0; b < batch; b += 1) {
          for (let y = 0; y < h; y += 1) {
            const sy = y + ky - pad;
            if (sy < 0 || sy >= h) continue;
            const rowStart = out + (b * h + y) * w;
            const sourceRow = (b * h + sy) * w;
            const xFrom = Math.max(0, pad - kx);
            const xTo = Math.min(w, w + pad - kx);
            for (let xPos = xFrom; xPos < xTo; xPos += 1) {
              result[rowStart + xPos] = x[(sourceRow + xPos + kx - pad) * c + ch];
            }
          }
        }
      }
    }
  }
  return result;
}

/** Folds column gradients back onto the input: the adjoint of `im2col`. */
export function col2im(
  cols: Float32Array,
  batch: number,
  h: number,
  w: number,
  c: number,
  k: number,
): Float32Array {
  const pad = (k - 1) >> 1;
  const rowLength = k * k * c;
  const dx = new Float32Array(batch * h * w * c);
  for (let b = 0; b < batch; b += 1) {
    for (let y = 0; y < h; y += 1) {
      for (let xPos = 0; xPos < w; xPos += 1) {
        const row = ((b * h + y) * w + xPos) * rowLength;
        for (let ky = 0; ky < k; ky += 1) {
          const sy = y + ky - pad;
          if (sy < 0 || sy >= h) continue;
          for (let kx = 0; kx < k; kx += 1) {
            const sx = xPos + kx - pad;
            if (sx < 0 || sx >= w) continue;
            const target = ((b * h + sy) * w + sx) * c;
            const source = row + (ky * k + kx) * c;
            for (let ch = 0; ch < c; ch += 1) dx[target + ch] += cols[source + ch];
          }
        }
      }
    }
  }
  return dx;
}

/** Adds `bias` [n] to every row of the [rows, n] matrix `a` in place. */
export function addBias(a: Float32Array, bias: Float32Array): void {
  const n = bias.length;
  for (let i = 0; i < a.length; i += n) for (let j = 0; j < n; j += 1) a[i + j] += bias[j];
}

/** Applies ReLU to `a` in place. */
export function reluInPlace(a: Float32Array): void {
  for (let i = 0; i < a.length; i += 1) if (a[i] < 0) a[i] = 0;
}

/** Zeroes `gradient` in place where the ReLU output `activation` is zero. */
export function reluBackwardInPlace(gradient: Float32Array, activation: Float32Array): void {
  for (let i = 0; i < gradient.length; i += 1) if (activation[i] <= 0) gradient[i] = 0;
}

/** Sums the [rows, n] matrix `a` over its rows. */
export function columnSums(a: Float32Array, n: number): Float32Array {
  const sums = new Float32Array(n);
  for (let i = 0; i < a.length; i += n) for (let j = 0; j < n; j += 1) sums[j] += a[i + j];
  return sums;
}

/**
 * 2x2 max pooling with stride 2 over x [batch, h, w, c] (h and w even). Returns the pooled
 * values and, for each output, the input index of its maximum.
 */
export function maxPool2(
  x: Float32Array,
  batch: number,
  h: number,
  w: number,
  c: number,
): { out: Float32Array; argmax: Int32Array } {
  const oh = h >> 1;
  const ow = w >> 1;
  const out = new Float32Array(batch * oh * ow * c);
  const argmax = new Int32Array(out.length);
  let o = 0;
  for (let b = 0; b < batch; b += 1) {
    for (let y = 0; y < oh; y += 1) {
      for (let xPos = 0; xPos < ow; xPos += 1) {
        const topLeft = ((b * h + 2 * y) * w + 2 * xPos) * c;
        const rowBelow = w * c;
        for (let ch = 0; ch < c; ch += 1) {
          const i0 = topLeft + ch;
          let best = i0;
          if (x[i0 + c] > x[best]) best = i0 + c;
          if (x[i0 + rowBelow] > x[best]) best = i0 + rowBelow;
          if (x[i0 + rowBelow + c] > x[best]) best = i0 + rowBelow + c;
          out[o] = x[best];
          argmax[o] = best;
          o += 1;
        }
      }
    }
  }
  return { out, argmax };
}

/** Routes pooled gradients back to the maxima recorded by `maxPool2`. */
export function maxPool2Backward(
  gradient: Float32Array,
  argmax: Int32Array,
  inputLength: number,
): Float32Array {
  const dx = new Float32Array(inputLength);
  for (let i = 0; i < gradient.length; i += 1) dx[argmax[i]] += gradient[i];
  return dx;
}

/**
 * Softmax cross-entropy over logits [batch, classes]. Returns the mean loss, the number of
 * correct arg-maxes and the gradient of the mean loss with respect to the logits.
 */
export function softmaxCrossEntropy(
  logits: Float32Array,
  labels: ArrayLike<number>,
  classes: number,
): { loss: number; correct: number; gradient: Float32Array } {
  const batch = labels.length;
  const gradient = new Float32Array(logits.length);
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < batch; b += 1) {
    const row = b * classes;
    let max = -Infinity;
    let best = 0;
    for (let j = 0; j < classes; j += 1) {
      if (logits[row + j] > max) {
        max = logits[row + j];
        best = j;
      }
    }
    if (best === labels[b]) correct += 1;
    let sum = 0;
    for (let j = 0; j < classes; j += 1) {
      const e = Math.exp(logits[row + j] - max);
      gradient[row + j] = e;
      sum += e;
    }
    loss -= Math.log(gradient[row + labels[b]] / sum);
    for (let j = 0; j < classes; j += 1) {
      gradient[row + j] = (gradient[row + j] / sum - (j === labels[b] ? 1 : 0)) / batch;
    }
  }
  return { loss: loss / batch, correct, gradient };
}

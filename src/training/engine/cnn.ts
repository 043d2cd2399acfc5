/**
 * @module A 1-D text CNN with explicit forward and backward passes on Float32Arrays:
 * embedding -> dropout -> Conv1D (ReLU, one branch per kernel width) -> global max pooling ->
 * concatenation -> dense (ReLU) -> dropout -> dense (sigmoid).
 *
 * Only the convolution forward pass is heavy, and it runs as one plain 2-D matrix product per
 * kernel width (im2col x kernel) through `MatMul`. Global max pooling routes the gradient of each
 * (example, filter) pair to a single window. The kernel, bias and input gradients of the
 * convolution therefore touch only B x F windows and run in plain loops. The embedding gradient
 * is a scatter-add into the rows the batch used. Weight layouts match Keras, so the arrays load
 * into the equivalent tf.layers model unchanged.
 */
import { AdamSlot, adamStep, adamUpdate, adamUpdateRows, type AdamOptions } from './adam.ts';
import { createRandom, glorotUniform } from './random.ts';

/** Multiplies a row-major [rows, inner] matrix by an [inner, cols] matrix. */
export type MatMul = (
  a: Float32Array,
  rows: number,
  inner: number,
  b: Float32Array,
  cols: number,
) => Float32Array;

export interface CnnConfig {
  vocabularySize: number;
  embeddingDim: number;
  /** Maximum tokens per text; longer texts are cut, shorter ones padded with id 0. */
  maxLength: number;
  /** One convolution branch per width, each with `filters` filters. */
  kernelSizes: number[];
  filters: number;
  hiddenUnits: number;
  embeddingDropout: number;
  hiddenDropout: number;
}

/** Weights in Keras layouts: Conv1D kernels [k, E, F] and Dense kernels [in, out], row-major. */
export interface CnnWeights {
  /** [V, E]; row 0 is the padding token and stays zero. */
  embedding: Float32Array;
  convKernels: Float32Array[];
  convBiases: Float32Array[];
  hiddenKernel: Float32Array;
  hiddenBias: Float32Array;
  /** [H, 1] */
  outputKernel: Float32Array;
  /** [1] */
  outputBias: Float32Array;
}

/** A batch of post-padded token ids, [size, length] row-major. */
export interface TokenBatch {
  tokens: Int32Array;
  size: number;
  length: number;
}

/** Returns the concatenated width of the pooled features. */
export function pooledWidth(config: CnnConfig): number {
  return config.kernelSizes.length * config.filters;
}

/**
 * Returns weights initialised as Keras does: embedding uniform in [-0.05, 0.05] (padding row
 * zero), kernels Glorot-uniform, biases zero.
 */
export function initCnnWeights(config: CnnConfig, seed: number): CnnWeights {
  const random = createRandom(seed);
  const { vocabularySize: V, embeddingDim: E, filters: F, hiddenUnits: H } = config;
  const embedding = new Float32Array(V * E);
  for (let i = E; i < embedding.length; i += 1) embedding[i] = (random() * 2 - 1) * 0.05;
  const convKernels = config.kernelSizes.map((k) =>
    glorotUniform(new Float32Array(k * E * F), k * E, k * F, random),
  );
  const width = pooledWidth(config);
  return {
    embedding,
    convKernels,
    convBiases: config.kernelSizes.map(() => new Float32Array(F)),
    hiddenKernel: glorotUniform(new Float32Array(width * H), width, H, random),
    hiddenBias: new Float32Array(H),
    outputKernel: glorotUniform(new Float32Array(H), H, 1, random),
    outputBias: new Float32Array(1),
  };
}

/**
 * Returns the padded length a batch needs so that global max pooling takes its maximum over the
 * same set of window values as at `maxLength`: the longest text plus one all-padding window of the widest
 * kernel. Padding windows are identical, so dropping the rest changes no output or gradient.
 */
export function trimmedLength(lengths: number[], config: CnnConfig): number {
  const widest = Math.max(...config.kernelSizes);
  const longest = Math.max(0, ...lengths);
  return Math.max(widest, Math.min(config.maxLength, longest + widest));
}

/** Copies token id lists into a post-padded batch of the trimmed length. */
export function packBatch(sequences: ArrayLike<number>[], config: CnnConfig): TokenBatch {
  const lengths = sequences.map((sequence) => Math.min(sequence.length, config.maxLength));
  const length = trimmedLength(lengths, config);
  const tokens = new Int32Array(sequences.length * length);
  sequences.forEach((sequence, b) => {
    for (let t = 0; t < lengths[b]; t += 1) tokens[b * length + t] = sequence[t];
  });
  return { tokens, size: sequences.length, length };
}

/** Intermediate values of one forward pass, kept for the backward pass. */
interface ForwardCache {
  batch: TokenBatch;
  /** Embedded (and dropped-out) input, [B, L, E]. */
  input: Float32Array;
  /** Embedding dropout scale per element (0 or 1 / keep), or undefined without dropout. */
  inputMask: Float32Array | undefined;
  /** Pooled features after ReLU, [B, Fsum]. */
  pooled: Float32Array;
  /** Window index chosen by max pooling, or -1 when ReLU zeroed the filter, [widths][B, F]. */
  argmax: Int32Array[];
  /** Hidden pre-activation, [B, H]. */
  hiddenLinear: Float32Array;
  /** Hidden output after ReLU and dropout, [B, H]. */
  hidden: Float32Array;
  hiddenMask: Float32Array | undefined;
  /** Output logits, [B]. */
  logits: Float32Array;
}

function dropoutMask(size: number, rate: number, random: () => number): Float32Array {
  const mask = new Float32Array(size);
  const scale = 1 / (1 - rate);
  for (let i = 0; i < size; i += 1) mask[i] = random() < rate ? 0 : scale;
  return mask;
}

function embedBatch(
  weights: CnnWeights,
  config: CnnConfig,
  batch: TokenBatch,
  mask: Float32Array | undefined,
): Float32Array {
  const E = config.embeddingDim;
  const input = new Float32Array(batch.size * batch.length * E);
  for (let i = 0; i < batch.tokens.length; i += 1) {
    // Padding is embedded too: its row is zero here but model.fit trains it like any other.
    const id = batch.tokens[i];
    input.set(weights.embedding.subarray(id * E, id * E + E), i * E);
  }
  if (mask) for (let i = 0; i < input.length; i += 1) input[i] *= mask[i];
  return input;
}

/** Runs one convolution branch and max-pools it into `pooled` at column `offset`. */
function convolveAndPool(
  input: Float32Array,
  batch: TokenBatch,
  kernel: Float32Array,
  bias: Float32Array,
  width: number,
  config: CnnConfig,
  matMul: MatMul,
  pooled: Float32Array,
  offset: number,
): Int32Array {
  const { embeddingDim: E, filters: F } = config;
  const { size: B, length: L } = batch;
  const positions = L - width + 1;
  const windowSize = width * E;
  const columns = new Float32Array(B * positions * windowSize);
  for (let b = 0; b < B; b += 1) {
    for (let p = 0; p < positions; p += 1) {
      const from = (b * L + p) * E;
      columns.set(input.subarray(from, from + windowSize), (b * positions + p) * windowSize);
    }
  }
  const output = matMul(columns, B * positions, windowSize, kernel, F);
  const argmax = new Int32Array(B * F);
  const best = new Float32Array(F);
  const bestAt = new Int32Array(F);
  const pooledStride = pooled.length / B;
  for (let b = 0; b < B; b += 1) {
    best.fill(-Infinity);
    for (let p = 0; p < positions; p += 1) {
      const row = (b * positions + p) * F;
      for (let f = 0; f < F; f += 1) {
        const value = output[row + f];
        if (value > best[f]) {
          best[f] = value;
          bestAt[f] = p;
        }
      }
    }
    for (let f = 0; f < F; f += 1) {
      const value = best[f] + bias[f];
      const active = value > 0;
      pooled[b * pooledStride + offset + f] = active ? value : 0;
      argmax[b * F + f] = active ? bestAt[f] : -1;
    }
  }
  return argmax;
}

/** Computes out[B, cols] = a[B, inner] x w[inner, cols] + bias in i-k-j loop order. */
function denseForward(
  a: Float32Array,
  rows: number,
  inner: number,
  w: Float32Array,
  bias: Float32Array,
  cols: number,
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r += 1) {
    const o = r * cols;
    out.set(bias, o);
    for (let i = 0; i < inner; i += 1) {
      const x = a[r * inner + i];
      if (x === 0) continue;
      const wRow = i * cols;
      for (let c = 0; c < cols; c += 1) out[o + c] += x * w[wRow + c];
    }
  }
  return out;
}

/**
 * Adds the hidden layer's kernel and bias gradients and returns the gradient of its input, the
 * pooled features. A pooled feature of exactly 0 had an inactive ReLU, so its gradient is never
 * used and stays 0.
 */
function hiddenBackward(
  pooled: Float32Array,
  rows: number,
  inner: number,
  kernel: Float32Array,
  dOut: Float32Array,
  cols: number,
  dKernel: Float32Array,
  dBias: Float32Array,
): Float32Array {
  const dPooled = new Float32Array(rows * inner);
  for (let r = 0; r < rows; r += 1) {
    const o = r * cols;
    for (let c = 0; c < cols; c += 1) dBias[c] += dOut[o + c];
    for (let i = 0; i < inner; i += 1) {
      const x = pooled[r * inner + i];
      if (x === 0) continue;
      const wRow = i * cols;
      let sum = 0;
      for (let c = 0; c < cols; c += 1) {
        const d = dOut[o + c];
        dKernel[wRow + c] += x * d;
        sum += d * kernel[wRow + c];
      }
      dPooled[r * inner + i] = sum;
    }
  }
  return dPooled;
}

/** Returns the [cols, rows] transpose of a row-major [rows, cols] matrix. */
function transpose(
  matrix: Float32Array,
  rows: number,
  cols: number,
  out?: Float32Array,
): Float32Array {
  const result = out ?? new Float32Array(rows * cols);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) result[c * rows + r] = matrix[r * cols + c];
  }
  return result;
}

/**
 * Adds the gradients of one convolution branch: each (text, filter) pair whose ReLU was active
 * passes its pooled gradient to the single window max pooling chose. The kernel is used and
 * accumulated in its transposed [F, k*E] form, so both inner loops read contiguous memory.
 */
function convolutionBackward(
  cache: ForwardCache,
  branch: number,
  windowSize: number,
  dPooled: Float32Array,
  kernel: Float32Array,
  dKernel: Float32Array,
  dBias: Float32Array,
  dInput: Float32Array,
  F: number,
): void {
  const { size: B, length: L } = cache.batch;
  const embeddingDim = cache.input.length / (B * L);
  const width = dPooled.length / B;
  const kernelT = transpose(kernel, windowSize, F);
  const dKernelT = new Float32Array(windowSize * F);
  const argmax = cache.argmax[branch];
  const input = cache.input;
  for (let b = 0; b < B; b += 1) {
    for (let f = 0; f < F; f += 1) {
      const p = argmax[b * F + f];
      if (p < 0) continue;
      const g = dPooled[b * width + branch * F + f];
      if (g === 0) continue;
      dBias[f] += g;
      const base = (b * L + p) * embeddingDim;
      const row = f * windowSize;
      for (let j = 0; j < windowSize; j += 1) {
        dKernelT[row + j] += g * input[base + j];
        dInput[base + j] += g * kernelT[row + j];
      }
    }
  }
  for (let j = 0; j < windowSize; j += 1) {
    for (let f = 0; f < F; f += 1) dKernel[j * F + f] += dKernelT[f * windowSize + j];
  }
}

/** Gradients with the same shapes as CnnWeights; the embedding gradient is dense over rows. */
export interface CnnGradients extends CnnWeights {
  /** Embedding rows with a gradient in this batch, first `touchedCount` entries valid. */
  touchedRows: Int32Array;
  touchedCount: number;
}

function zeroGradients(weights: CnnWeights): CnnGradients {
  return {
    embedding: new Float32Array(weights.embedding.length),
    convKernels: weights.convKernels.map((kernel) => new Float32Array(kernel.length)),
    convBiases: weights.convBiases.map((bias) => new Float32Array(bias.length)),
    hiddenKernel: new Float32Array(weights.hiddenKernel.length),
    hiddenBias: new Float32Array(weights.hiddenBias.length),
    outputKernel: new Float32Array(weights.outputKernel.length),
    outputBias: new Float32Array(1),
    touchedRows: new Int32Array(0),
    touchedCount: 0,
  };
}

/**
 * The CNN's weights with forward, backward and Adam steps. One instance keeps the gradient
 * buffers and optimizer state of one training run.
 */
export class TextCnn {
  readonly config: CnnConfig;
  readonly weights: CnnWeights;
  private readonly matMul: MatMul;
  private gradientBuffers: CnnGradients | undefined;
  private slots: AdamSlot[] | undefined;
  private embeddingSlot: AdamSlot | undefined;
  private rowSeen: Uint8Array | undefined;
  private step = 0;

  constructor(config: CnnConfig, weights: CnnWeights, matMul: MatMul) {
    this.config = config;
    this.weights = weights;
    this.matMul = matMul;
  }

  private forward(batch: TokenBatch, random: (() => number) | undefined): ForwardCache {
    const { config, weights } = this;
    const { embeddingDim: E, filters: F, hiddenUnits: H } = config;
    const training = random !== undefined;
    const inputMask =
      training && config.embeddingDropout > 0
        ? dropoutMask(batch.size * batch.length * E, config.embeddingDropout, random)
        : undefined;
    const input = embedBatch(weights, config, batch, inputMask);
    const width = pooledWidth(config);
    const pooled = new Float32Array(batch.size * width);
    const argmax = config.kernelSizes.map((k, w) =>
      convolveAndPool(
        input,
        batch,
        weights.convKernels[w],
        weights.convBiases[w],
        k,
        config,
        this.matMul,
        pooled,
        w * F,
      ),
    );
    const B = batch.size;
    const hiddenLinear = denseForward(
      pooled,
      B,
      width,
      weights.hiddenKernel,
      weights.hiddenBias,
      H,
    );
    const hiddenMask =
      training && config.hiddenDropout > 0
        ? dropoutMask(B * H, config.hiddenDropout, random)
        : undefined;
    const hidden = new Float32Array(B * H);
    for (let i = 0; i < hidden.length; i += 1) {
      const relu = hiddenLinear[i] > 0 ? hiddenLinear[i] : 0;
      hidden[i] = hiddenMask ? relu * hiddenMask[i] : relu;
    }
    const logits = denseForward(hidden, B, H, weights.outputKernel, weights.outputBias, 1);
    return { batch, input, inputMask, pooled, argmax, hiddenLinear, hidden, hiddenMask, logits };
  }

  /** Returns P(positive) for each text of the batch, without dropout. */
  predict(batch: TokenBatch): Float32Array {
    const { logits } = this.forward(batch, undefined);
    return logits.map((z) => 1 / (1 + Math.exp(-z)));
  }

  /** Returns the logit of each text of the batch, without dropout. */
  logits(batch: TokenBatch): Float32Array {
    return this.forward(batch, undefined).logits;
  }

  private backward(cache: ForwardCache, labels: Float32Array, grads: CnnGradients): number {
    const { config, weights } = this;
    const { embeddingDim: E, filters: F, hiddenUnits: H } = config;
    const { size: B, tokens } = cache.batch;
    const width = pooledWidth(config);
    let loss = 0;
    const dLogits = new Float32Array(B);
    for (let b = 0; b < B; b += 1) {
      const z = cache.logits[b];
      const y = labels[b];
      loss += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      dLogits[b] = (1 / (1 + Math.exp(-z)) - y) / B;
    }
    const dHiddenLinear = new Float32Array(B * H);
    for (let b = 0; b < B; b += 1) {
      const g = dLogits[b];
      grads.outputBias[0] += g;
      for (let h = 0; h < H; h += 1) {
        const i = b * H + h;
        grads.outputKernel[h] += cache.hidden[i] * g;
        if (cache.hiddenLinear[i] <= 0) continue;
        const maskScale = cache.hiddenMask ? cache.hiddenMask[i] : 1;
        dHiddenLinear[i] = g * weights.outputKernel[h] * maskScale;
      }
    }
    const dPooled = hiddenBackward(
      cache.pooled,
      B,
      width,
      weights.hiddenKernel,
      dHiddenLinear,
      H,
      grads.hiddenKernel,
      grads.hiddenBias,
    );
    const dInput = new Float32Array(cache.input.length);
    for (let w = 0; w < config.kernelSizes.length; w += 1) {
      convolutionBackward(
        cache,
        w,
        config.kernelSizes[w] * E,
        dPooled,
        weights.convKernels[w],
        grads.convKernels[w],
        grads.convBiases[w],
        dInput,
        F,
      );
    }
    this.scatterEmbeddingGradient(tokens, dInput, cache.inputMask, grads, E);
    return loss / B;
  }

  private scatterEmbeddingGradient(
    tokens: Int32Array,
    dInput: Float32Array,
    mask: Float32Array | undefined,
    grads: CnnGradients,
    E: number,
  ): void {
    this.rowSeen ??= new Uint8Array(this.config.vocabularySize);
    if (grads.touchedRows.length < tokens.length) grads.touchedRows = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i += 1) {
      const id = tokens[i];
      if (id === 0) continue;
      if (this.rowSeen[id] === 0) {
        this.rowSeen[id] = 1;
        grads.touchedRows[grads.touchedCount] = id;
        grads.touchedCount += 1;
      }
      const to = id * E;
      const from = i * E;
      if (mask) {
        for (let e = 0; e < E; e += 1) grads.embedding[to + e] += dInput[from + e] * mask[from + e];
      } else {
        for (let e = 0; e < E; e += 1) grads.embedding[to + e] += dInput[from + e];
      }
    }
  }

  /**
   * Returns the mean binary cross-entropy of the batch and the gradients of every weight, without
   * dropout. Used to check the backward pass against automatic differentiation.
   */
  computeGradients(batch: TokenBatch, labels: Float32Array): { loss: number; grads: CnnGradients } {
    const grads = zeroGradients(this.weights);
    const cache = this.forward(batch, undefined);
    const loss = this.backward(cache, labels, grads);
    for (let r = 0; r < grads.touchedCount; r += 1) this.rowSeen![grads.touchedRows[r]] = 0;
    return { loss, grads };
  }

  /**
   * Runs one training step (forward with dropout, backward, Adam) and returns the batch loss and
   * the number of correctly classified texts.
   */
  trainStep(
    batch: TokenBatch,
    labels: Float32Array,
    adam: AdamOptions,
    random: () => number,
  ): { loss: number; correct: number } {
    this.gradientBuffers ??= zeroGradients(this.weights);
    this.slots ??= this.denseParameters().map((value) => new AdamSlot(value.length));
    this.embeddingSlot ??= new AdamSlot(this.weights.embedding.length);
    const grads = this.gradientBuffers;
    const cache = this.forward(batch, random);
    const loss = this.backward(cache, labels, grads);
    let correct = 0;
    for (let b = 0; b < batch.size; b += 1) {
      if (cache.logits[b] > 0 === labels[b] > 0.5) correct += 1;
    }
    this.step += 1;
    const step = adamStep(adam, this.step);
    const values = this.denseParameters();
    const gradientArrays = this.denseParameters(grads);
    values.forEach((value, i) => adamUpdate(value, gradientArrays[i], this.slots![i], step));
    adamUpdateRows(
      this.weights.embedding,
      grads.embedding,
      this.embeddingSlot,
      step,
      grads.touchedRows,
      grads.touchedCount,
      this.config.embeddingDim,
    );
    for (let r = 0; r < grads.touchedCount; r += 1) this.rowSeen![grads.touchedRows[r]] = 0;
    grads.touchedCount = 0;
    return { loss, correct };
  }

  private denseParameters(source: CnnWeights = this.weights): Float32Array[] {
    return [
      ...source.convKernels,
      ...source.convBiases,
      source.hiddenKernel,
      source.hiddenBias,
      source.outputKernel,
      source.outputBias,
    ];
  }
}

/**
 * Returns the logits of `sequences` (token ids, already cut to maxLength) without dropout by
 * projecting each distinct token of the batch once. For a kernel of width k, the window sum
 * x[t..t+k) · W equals the sum over offsets j of (embedding of token t+j) · W_j. One product
 * [distinct tokens, E] x [E, k*F] therefore replaces the im2col product, which repeats every
 * token k times and every frequent token many times.
 */
export function projectedLogits(
  weights: CnnWeights,
  config: CnnConfig,
  sequences: Int32Array[],
  matMul: MatMul,
): Float32Array {
  const { embeddingDim: E, filters: F, hiddenUnits: H } = config;
  const widest = Math.max(...config.kernelSizes);
  // Padding (id 0) gets a row too: it is zero after the Float32Array trainer but may not be
  // after model.fit, which trains the padding row like any other.
  const local = new Map<number, number>([[0, 0]]);
  for (const sequence of sequences) {
    for (const id of sequence) if (!local.has(id)) local.set(id, local.size);
  }
  const distinct = new Float32Array(local.size * E);
  for (const [id, row] of local) {
    distinct.set(weights.embedding.subarray(id * E, id * E + E), row * E);
  }
  const B = sequences.length;
  const width = pooledWidth(config);
  const pooled = new Float32Array(B * width);
  config.kernelSizes.forEach((k, w) => {
    // Kernel [k*E, F] rearranged to [E, k*F]: offset j's block sits at columns j*F..(j+1)*F.
    const kernel = weights.convKernels[w];
    const stacked = new Float32Array(E * k * F);
    for (let j = 0; j < k; j += 1) {
      for (let e = 0; e < E; e += 1) {
        const from = (j * E + e) * F;
        stacked.set(kernel.subarray(from, from + F), e * k * F + j * F);
      }
    }
    const projected = matMul(distinct, local.size, E, stacked, k * F);
    const bias = weights.convBiases[w];
    const sum = new Float32Array(F);
    sequences.forEach((sequence, b) => {
      const length = Math.max(widest, Math.min(config.maxLength, sequence.length + widest));
      // Local row of each position; positions past the text are padding, row 0.
      const rows = new Int32Array(length);
      sequence.forEach((id, i) => (rows[i] = local.get(id)!));
      const positions = length - k + 1;
      const out = pooled.subarray(b * width + w * F, b * width + (w + 1) * F);
      out.fill(-Infinity);
      for (let t = 0; t < positions; t += 1) {
        sum.set(bias);
        for (let j = 0; j < k; j += 1) {
          const base = rows[t + j] * k * F + j * F;
          for (let f = 0; f < F; f += 1) sum[f] += projected[base + f];
        }
        for (let f = 0; f < F; f += 1) if (sum[f] > out[f]) out[f] = sum[f];
      }
      for (let f = 0; f < F; f += 1) if (out[f] < 0) out[f] = 0;
    });
  });
  const hiddenLinear = denseForward(pooled, B, width, weights.hiddenKernel, weights.hiddenBias, H);
  for (let i = 0; i < hiddenLinear.length; i += 1) {
    if (hiddenLinear[i] < 0) hiddenLinear[i] = 0;
  }
  return denseForward(hiddenLinear, B, H, weights.outputKernel, weights.outputBias, 1);
}

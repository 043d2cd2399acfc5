/**
 * @module Training-time distortions of 28x28 digits (pixels from 0 to 1), so that the CNN learns to
 * read off-centre, tilted, scaled, thin, thick and wobbly drawings. Each digit gets a random affine
 * map (rotation, scale, shear, shift), possibly an elastic distortion and possibly a thicker or
 * thinner stroke. The elastic distortion is a random displacement field smoothed by a Gaussian,
 * after Simard, Steinkraus and Platt, "Best Practices for Convolutional Neural Networks Applied to
 * Visual Document Analysis" (ICDAR 2003).
 */
import { IMAGE_SIZE, PIXELS } from './data.ts';

/** Ranges of each distortion; angles in degrees, shifts in pixels. */
export interface AugmentOptions {
  rotationDegrees: number;
  scaleRange: [number, number];
  shear: number;
  shiftPixels: number;
  elasticProbability: number;
  elasticAlpha: [number, number];
  elasticSigma: number;
  thickenProbability: number;
  thinProbability: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  rotationDegrees: 15,
  scaleRange: [0.9, 1.1],
  shear: 0.1,
  shiftPixels: 2,
  elasticProbability: 0.3,
  elasticAlpha: [8, 24],
  elasticSigma: 4,
  thickenProbability: 0.1,
  thinProbability: 0.1,
};

function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i += 1) {
    kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += kernel[i + radius];
  }
  for (let i = 0; i < kernel.length; i += 1) kernel[i] /= sum;
  return kernel;
}

/** Smooths a 28x28 field with a separable Gaussian, treating pixels outside as zero. */
function smooth(field: Float32Array, kernel: Float32Array): Float32Array {
  const radius = (kernel.length - 1) >> 1;
  const n = IMAGE_SIZE;
  const rows = new Float32Array(PIXELS);
  for (let y = 0; y < n; y += 1) {
    for (let x = 0; x < n; x += 1) {
      let sum = 0;
      for (let i = -radius; i <= radius; i += 1) {
        const sx = x + i;
        if (sx >= 0 && sx < n) sum += field[y * n + sx] * kernel[i + radius];
      }
      rows[y * n + x] = sum;
    }
  }
  const result = new Float32Array(PIXELS);
  for (let y = 0; y < n; y += 1) {
    for (let x = 0; x < n; x += 1) {
      let sum = 0;
      for (let i = -radius; i <= radius; i += 1) {
        const sy = y + i;
        if (sy >= 0 && sy < n) sum += rows[sy * n + x] * kernel[i + radius];
      }
      result[y * n + x] = sum;
    }
  }
  return result;
}

function elasticField(
  alpha: number,
  kernel: Float32Array,
  random: () => number,
): [Float32Array, Float32Array] {
  const make = () => {
    const field = new Float32Array(PIXELS);
    for (let i = 0; i < PIXELS; i += 1) field[i] = random() * 2 - 1;
    const smoothed = smooth(field, kernel);
    // Uniform noise on [-1, 1] smoothed by a Gaussian of sigma 4 has a root-mean-square of about
    // 1/25, so Simard's alpha of 34 moves pixels by about 1.4 px. Normalising to that size keeps
    // the same meaning of alpha near the borders, where the zero padding shrinks the field.
    let square = 0;
    for (let i = 0; i < PIXELS; i += 1) square += smoothed[i] * smoothed[i];
    const scale = alpha / 25 / Math.sqrt(square / PIXELS + 1e-12);
    for (let i = 0; i < PIXELS; i += 1) smoothed[i] *= scale;
    return smoothed;
  };
  return [make(), make()];
}

function sampleBilinear(image: Float32Array, x: number, y: number): number {
  const n = IMAGE_SIZE;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xi: number, yi: number) =>
    xi < 0 || yi < 0 || xi >= n || yi >= n ? 0 : image[yi * n + xi];
  return (
    (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
    fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1))
  );
}

/** Grey-scale dilation (thicken) or erosion (thin) with a plus-shaped 3x3 element. */
function morph(image: Float32Array, thicken: boolean): Float32Array {
  const n = IMAGE_SIZE;
  const result = new Float32Array(PIXELS);
  for (let y = 0; y < n; y += 1) {
    for (let x = 0; x < n; x += 1) {
      let value = image[y * n + x];
      const neighbours = [
        [x - 1, y],
        [x + 1, y],
        [x, y - 1],
        [x, y + 1],
      ];
      for (const [nx, ny] of neighbours) {
        const v = nx < 0 || ny < 0 || nx >= n || ny >= n ? 0 : image[ny * n + nx];
        value = thicken ? Math.max(value, v) : Math.min(value, v);
      }
      result[y * n + x] = value;
    }
  }
  return result;
}

function sum(image: Float32Array): number {
  let total = 0;
  for (let i = 0; i < image.length; i += 1) total += image[i];
  return total;
}

/**
 * Writes a randomly distorted copy of the 28x28 digit `source` into `target`.
 *
 * @param random uniform generator on [0, 1).
 */
export function augmentDigit(
  source: Float32Array,
  target: Float32Array,
  random: () => number,
  options: AugmentOptions = DEFAULT_AUGMENT,
): void {
  let image = source;
  if (random() < options.thickenProbability) {
    image = morph(image, true);
  } else if (random() < options.thinProbability) {
    const thinned = morph(image, false);
    // Thinning erases digits drawn with one-pixel strokes; keep it only when ink remains.
    if (sum(thinned) > 0.4 * sum(image)) image = thinned;
  }
  const angle = ((random() * 2 - 1) * options.rotationDegrees * Math.PI) / 180;
  const [low, high] = options.scaleRange;
  const scale = low + random() * (high - low);
  const aspect = 1 + (random() * 2 - 1) * 0.1;
  const shear = (random() * 2 - 1) * options.shear;
  const shiftX = (random() * 2 - 1) * options.shiftPixels;
  const shiftY = (random() * 2 - 1) * options.shiftPixels;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const sx = scale * aspect;
  const sy = scale / aspect;
  // Forward map: scale, shear in x, rotate, shift. Pixels are sampled through its inverse.
  const a = cos * sx;
  const b = cos * shear * sy - sin * sy;
  const c = sin * sx;
  const d = sin * shear * sy + cos * sy;
  const det = a * d - b * c;
  const inverse = [d / det, -b / det, -c / det, a / det];
  let fieldX: Float32Array | undefined;
  let fieldY: Float32Array | undefined;
  if (random() < options.elasticProbability) {
    const [alphaLow, alphaHigh] = options.elasticAlpha;
    const alpha = alphaLow + random() * (alphaHigh - alphaLow);
    [fieldX, fieldY] = elasticField(alpha, gaussianKernel(options.elasticSigma), random);
  }
  const centre = (IMAGE_SIZE - 1) / 2;
  for (let y = 0; y < IMAGE_SIZE; y += 1) {
    for (let x = 0; x < IMAGE_SIZE; x += 1) {
      const i = y * IMAGE_SIZE + x;
      const u = x - centre - shiftX + (fieldX ? fieldX[i] : 0);
      const v = y - centre - shiftY + (fieldY ? fieldY[i] : 0);
      const srcX = inverse[0] * u + inverse[1] * v + centre;
      const srcY = inverse[2] * u + inverse[3] * v + centre;
      target[i] = sampleBilinear(image, srcX, srcY);
    }
  }
}

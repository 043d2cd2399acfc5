/**
 * @module Turns one digit's ink into MNIST's input format, the way MNIST itself was made. The ink is
 * cropped and fitted into a 20x20 box keeping the aspect ratio (anti-aliased). The box is placed
 * in a 28x28 field so that the ink's centre of mass sits at the field's centre. Thin strokes are
 * thickened first, so a one-pixel line on a large canvas reads like a pen stroke.
 */
import { IMAGE_SIZE, PIXELS } from './data.ts';
import type { DigitRegion } from './segment.ts';

/** Side of the box the digit is fitted into, inside the 28x28 field. */
export const BOX_SIZE = 20;
/** Maximum side length of the copy on which stroke width is measured and corrected. */
const FINE_SIZE = 4 * BOX_SIZE;
/**
 * Stroke width at FINE_SIZE below which strokes are thickened, and the width they get: MNIST
 * strokes are about 3 px wide in the 20 px box, 12 px at FINE_SIZE. The estimate of strokeWidth runs about
 * 1.5 px over the drawn width.
 */
const THIN_STROKE = 10;
const TARGET_STROKE = 12;

/**
 * Resizes a row-major [height, width] image to [newHeight, newWidth] with area averaging (each
 * output pixel is the mean of the source area it covers).
 */
export function resampleArea(
  source: Float32Array,
  width: number,
  height: number,
  newWidth: number,
  newHeight: number,
): Float32Array {
  const rows = new Float32Array(height * newWidth);
  const scaleX = width / newWidth;
  for (let j = 0; j < newWidth; j += 1) {
    const from = j * scaleX;
    const to = from + scaleX;
    for (let sx = Math.floor(from); sx < Math.min(width, Math.ceil(to)); sx += 1) {
      const weight = (Math.min(to, sx + 1) - Math.max(from, sx)) / scaleX;
      if (weight <= 0) continue;
      for (let y = 0; y < height; y += 1) rows[y * newWidth + j] += source[y * width + sx] * weight;
    }
  }
  const result = new Float32Array(newHeight * newWidth);
  const scaleY = height / newHeight;
  for (let i = 0; i < newHeight; i += 1) {
    const from = i * scaleY;
    const to = from + scaleY;
    for (let sy = Math.floor(from); sy < Math.min(height, Math.ceil(to)); sy += 1) {
      const weight = (Math.min(to, sy + 1) - Math.max(from, sy)) / scaleY;
      if (weight <= 0) continue;
      for (let x = 0; x < newWidth; x += 1) {
        result[i * newWidth + x] += rows[sy * newWidth + x] * weight;
      }
    }
  }
  return result;
}

/** Grey-scale dilation with a (2r+1) square, done as a row pass then a column pass. */
function dilateSquare(image: Float32Array, width: number, height: number, r: number): Float32Array {
  const rows = new Float32Array(image.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let value = 0;
      for (let k = Math.max(0, x - r); k <= Math.min(width - 1, x + r); k += 1) {
        value = Math.max(value, image[y * width + k]);
      }
      rows[y * width + x] = value;
    }
  }
  const result = new Float32Array(image.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let value = 0;
      for (let k = Math.max(0, y - r); k <= Math.min(height - 1, y + r); k += 1) {
        value = Math.max(value, rows[k * width + x]);
      }
      result[y * width + x] = value;
    }
  }
  return result;
}

/** Estimates stroke width as 2 x area / boundary length of the pixels at or above 0.5. */
export function strokeWidth(image: Float32Array, width: number, height: number): number {
  let area = 0;
  let boundary = 0;
  const on = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < width && y < height && image[y * width + x] >= 0.5;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if (!on(x, y)) continue;
      area += 1;
      if (!on(x - 1, y) || !on(x + 1, y) || !on(x, y - 1) || !on(x, y + 1)) boundary += 1;
    }
  }
  return boundary === 0 ? 0 : (2 * area) / boundary;
}

/**
 * Scales `image` so that the 90th percentile of its inked pixels becomes 1, clipping above: faint
 * or anti-aliased parts of a thin stroke then read as strongly as the rest.
 */
function normaliseStrokes(image: Float32Array): void {
  const inked = image.filter((value) => value > 0.05).sort();
  if (inked.length === 0) return;
  const level = inked[Math.min(inked.length - 1, Math.floor(inked.length * 0.9))];
  for (let i = 0; i < image.length; i += 1) image[i] = Math.min(1, image[i] / level);
}

function normaliseMax(image: Float32Array): void {
  let max = 0;
  for (let i = 0; i < image.length; i += 1) if (image[i] > max) max = image[i];
  if (max > 0) for (let i = 0; i < image.length; i += 1) image[i] = Math.min(1, image[i] / max);
}

/**
 * Returns the 28x28 MNIST-format input (row-major, 0 to 1, white strokes on black) of `region`.
 * Pixels that belong to other digits' components are left out.
 */
export function toMnistInput(
  ink: Float32Array,
  labels: Int32Array,
  imageWidth: number,
  imageHeight: number,
  region: DigitRegion,
): Float32Array {
  const x0 = Math.max(0, region.x - 1);
  const y0 = Math.max(0, region.y - 1);
  const x1 = Math.min(imageWidth, region.x + region.width + 1);
  const y1 = Math.min(imageHeight, region.y + region.height + 1);
  const width = x1 - x0;
  const height = y1 - y0;
  const own = new Set(region.labels);
  const crop = new Float32Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const index = (y0 + y) * imageWidth + x0 + x;
      if (labels[index] === 0 || own.has(labels[index])) crop[y * width + x] = ink[index];
    }
  }
  const longest = Math.max(width, height);
  const fineWidth = Math.max(1, Math.round((width * FINE_SIZE) / longest));
  const fineHeight = Math.max(1, Math.round((height * FINE_SIZE) / longest));
  let fine = resampleArea(crop, width, height, fineWidth, fineHeight);
  normaliseStrokes(fine);
  const stroke = strokeWidth(fine, fineWidth, fineHeight);
  if (stroke < THIN_STROKE) {
    // Anti-aliased hairlines straddle two pixel rows at half strength: make them solid first.
    for (let i = 0; i < fine.length; i += 1) fine[i] = Math.min(1, 2 * fine[i]);
    const radius = Math.max(1, Math.round((TARGET_STROKE - stroke) / 2));
    fine = dilateSquare(fine, fineWidth, fineHeight, radius);
  }
  const boxWidth = Math.max(1, Math.round((fineWidth * BOX_SIZE) / FINE_SIZE));
  const boxHeight = Math.max(1, Math.round((fineHeight * BOX_SIZE) / FINE_SIZE));
  const box = resampleArea(fine, fineWidth, fineHeight, boxWidth, boxHeight);
  normaliseMax(box);
  return centreByMass(box, boxWidth, boxHeight);
}

/** Places the box in a 28x28 field with its centre of mass at the field's centre. */
export function centreByMass(box: Float32Array, width: number, height: number): Float32Array {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const value = box[y * width + x];
      mass += value;
      sumX += value * (x + 0.5);
      sumY += value * (y + 0.5);
    }
  }
  const centreX = mass > 0 ? sumX / mass : width / 2;
  const centreY = mass > 0 ? sumY / mass : height / 2;
  const half = IMAGE_SIZE / 2;
  const offsetX = Math.min(IMAGE_SIZE - width, Math.max(0, Math.round(half - centreX)));
  const offsetY = Math.min(IMAGE_SIZE - height, Math.max(0, Math.round(half - centreY)));
  const field = new Float32Array(PIXELS);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      field[(offsetY + y) * IMAGE_SIZE + offsetX + x] = box[y * width + x];
    }
  }
  return field;
}

/**
 * @module Renders the 28x28 inputs the model saw, enlarged and side by side, as a PNG, so that a
 * user can see why the model returned its result.
 */
import sharp from 'sharp';
import { IMAGE_SIZE } from './data.ts';

/** Enlargement of each 28x28 input in the debug image. */
export const DEBUG_SCALE = 8;
const GAP = 4;
/** Gray level of the gap between inputs, so that black borders stay visible. */
const GAP_LEVEL = 96;

/** Returns PNG bytes of `inputs` (28x28, 0-255) enlarged DEBUG_SCALE times, left to right. */
export async function renderDebugImage(inputs: Uint8Array[]): Promise<Uint8Array> {
  const cell = IMAGE_SIZE * DEBUG_SCALE;
  const width = inputs.length * cell + (inputs.length - 1) * GAP;
  const height = cell;
  const pixels = new Uint8Array(width * height).fill(GAP_LEVEL);
  inputs.forEach((input, index) => {
    const left = index * (cell + GAP);
    for (let y = 0; y < cell; y += 1) {
      const sourceRow = Math.floor(y / DEBUG_SCALE) * IMAGE_SIZE;
      for (let x = 0; x < cell; x += 1) {
        pixels[y * width + left + x] = input[sourceRow + Math.floor(x / DEBUG_SCALE)];
      }
    }
  });
  const png = await sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

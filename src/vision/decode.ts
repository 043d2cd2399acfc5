/**
 * @module Decodes an uploaded image with sharp into grayscale "ink" (0 = background, 1 = the
 * strongest stroke), whatever the polarity and transparency of the original. Formats are sniffed
 * from the leading bytes; the declared pixel count is checked before any pixel is decoded.
 */
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { NunchiError } from '../core/errors.ts';

/** Largest upload accepted, in bytes. */
export const MAX_IMAGE_BYTES = 25 * 2 ** 20;
/** Largest declared width x height accepted (a 20 MB phone photo is about 12-50 million). */
export const MAX_IMAGE_PIXELS = 60_000_000;
/** Maximum side length of the working copy that segmentation and cropping run on. */
export const WORKING_SIZE = 1024;
/** Contrast (on 0-255) below which an image counts as blank. */
export const BLANK_CONTRAST = 24;

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** Decoded ink map of the working copy, row-major, with its scale to the original image. */
export interface InkImage {
  ink: Float32Array;
  width: number;
  height: number;
  /** Original pixels per working pixel (1 when the image was not shrunk). */
  scale: number;
  format: ImageFormat;
}

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return signature.every((value, i) => bytes[offset + i] === value);
}

/**
 * Returns the format named by the leading bytes.
 *
 * @throws NunchiError IMAGE_INVALID for empty or unrecognised bytes, IMAGE_UNSUPPORTED for SVG,
 *   XML and other image formats (BMP, TIFF, AVIF, HEIC).
 */
export function sniffFormat(bytes: Uint8Array): ImageFormat {
  if (bytes.length === 0) {
    throw new NunchiError(
      'IMAGE_INVALID',
      'The image is empty (0 bytes); upload a PNG, JPEG, WebP or GIF file',
    );
  }
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (
    startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) &&
    startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)
  ) {
    return 'webp';
  }
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  const head = Buffer.from(bytes.subarray(0, 512)).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<') && (head.includes('<svg') || head.startsWith('<?xml'))) {
    throw new NunchiError(
      'IMAGE_UNSUPPORTED',
      'SVG and other XML images are not accepted; upload a PNG, JPEG, WebP or GIF file',
      { format: 'svg' },
    );
  }
  const other = startsWith(bytes, [0x42, 0x4d])
    ? 'bmp'
    : startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])
      ? 'tiff'
      : startsWith(bytes, [0x66, 0x74, 0x79, 0x70], 4)
        ? 'heif/avif'
        : undefined;
  if (other) {
    throw new NunchiError(
      'IMAGE_UNSUPPORTED',
      `${other.toUpperCase()} images are not accepted; upload a PNG, JPEG, WebP or GIF file`,
      { format: other },
    );
  }
  throw new NunchiError(
    'IMAGE_INVALID',
    'The file is not an image: its first bytes match no PNG, JPEG, WebP or GIF signature',
    { bytes: bytes.length },
  );
}

function invalid(format: ImageFormat, error: unknown): NunchiError {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new NunchiError(
    'IMAGE_INVALID',
    `The ${format.toUpperCase()} image cannot be decoded (${reason}); the file is truncated or ` +
      'corrupt, so upload it again or save it in another format',
    { format },
    { cause: error },
  );
}

/**
 * Decodes `bytes` into an ink map: transparency is flattened onto the background the strokes are
 * not, the result is converted to grayscale, inverted when the background is light, and scaled so
 * that the strongest stroke is 1. Animated GIF and WebP files are read from their first frame.
 *
 * @throws NunchiError IMAGE_INVALID, IMAGE_UNSUPPORTED or IMAGE_TOO_LARGE for unusable input and
 *   NO_DIGIT_FOUND for a blank image.
 */
export async function decodeInk(bytes: Uint8Array): Promise<InkImage> {
  const format = sniffFormat(bytes);
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new NunchiError(
      'IMAGE_TOO_LARGE',
      `The image is ${(bytes.length / 2 ** 20).toFixed(1)} MB; the limit is ` +
        `${MAX_IMAGE_BYTES / 2 ** 20} MB, so send a smaller or more compressed file`,
      { bytes: bytes.length, maxBytes: MAX_IMAGE_BYTES },
    );
  }
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const options = { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' as const, pages: 1 };
  let meta: Metadata;
  try {
    // Only the header is parsed here, so a huge declared size is rejected before decoding.
    meta = await sharp(input, { ...options, limitInputPixels: false }).metadata();
  } catch (error) {
    throw invalid(format, error);
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width < 1 || height < 1) throw invalid(format, new Error('no image size in the header'));
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new NunchiError(
      'IMAGE_TOO_LARGE',
      `The image declares ${width}x${height} pixels; the limit is ${MAX_IMAGE_PIXELS / 1e6} ` +
        'million pixels, so resize it before sending',
      { width, height, maxPixels: MAX_IMAGE_PIXELS },
    );
  }
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(input, options)
      .autoOrient()
      .resize({
        width: WORKING_SIZE,
        height: WORKING_SIZE,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw invalid(format, error);
  }
  const { info, data } = raw;
  const ink = inkFromRgba(data, info.width, info.height);
  const orientedWidth = meta.autoOrient?.width ?? width;
  return {
    ink,
    width: info.width,
    height: info.height,
    scale: orientedWidth / info.width,
    format,
  };
}

/**
 * Turns RGBA pixels into ink values from 0 to 1.
 *
 * @throws NunchiError NO_DIGIT_FOUND when no pixel differs from the background by at least
 *   BLANK_CONTRAST.
 */
export function inkFromRgba(rgba: Uint8Array, width: number, height: number): Float32Array {
  const count = width * height;
  const gray = new Float32Array(count);
  const alpha = new Float32Array(count);
  let transparent = 0;
  let opaqueLuma = 0;
  let opaqueWeight = 0;
  for (let i = 0; i < count; i += 1) {
    const luma = 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
    const a = rgba[4 * i + 3] / 255;
    gray[i] = luma;
    alpha[i] = a;
    if (a < 0.98) transparent += 1;
    opaqueLuma += luma * a;
    opaqueWeight += a;
  }
  if (transparent > 0) {
    // Strokes drawn on a transparent canvas: put them on the background they contrast with.
    const strokesAreDark = opaqueWeight === 0 || opaqueLuma / opaqueWeight < 128;
    const background = strokesAreDark ? 255 : 0;
    for (let i = 0; i < count; i += 1) gray[i] = alpha[i] * gray[i] + (1 - alpha[i]) * background;
  }
  const background = borderMedian(gray, width, height);
  const lightBackground = background >= 128;
  const ink = new Float32Array(count);
  let max = 0;
  for (let i = 0; i < count; i += 1) {
    const contrast = lightBackground ? background - gray[i] : gray[i] - background;
    ink[i] = contrast > 0 ? contrast : 0;
    if (ink[i] > max) max = ink[i];
  }
  if (max < BLANK_CONTRAST) {
    throw new NunchiError(
      'NO_DIGIT_FOUND',
      'No digit found: the image is blank or nearly blank; draw a digit with a clear dark or ' +
        'light stroke',
      { maxContrast: Math.round(max) },
    );
  }
  // Values under a fifth of the strongest stroke are paper texture, shading or JPEG noise.
  const floor = 0.2;
  for (let i = 0; i < count; i += 1) {
    const value = ink[i] / max;
    ink[i] = value < floor ? 0 : (value - floor) / (1 - floor);
  }
  return ink;
}

/** Median gray level of the pixels on the image's edge: the background, unless ink fills it. */
function borderMedian(gray: Float32Array, width: number, height: number): number {
  const histogram = new Uint32Array(256);
  let total = 0;
  const add = (i: number) => {
    histogram[Math.max(0, Math.min(255, Math.round(gray[i])))] += 1;
    total += 1;
  };
  for (let x = 0; x < width; x += 1) {
    add(x);
    if (height > 1) add((height - 1) * width + x);
  }
  for (let y = 1; y < height - 1; y += 1) {
    add(y * width);
    if (width > 1) add(y * width + width - 1);
  }
  let seen = 0;
  for (let level = 0; level < 256; level += 1) {
    seen += histogram[level];
    if (seen * 2 >= total) return level;
  }
  return 255;
}

/**
 * @module Synthetic "drawn" digits for tests and benchmarks: digits as SVG stroke paths in a
 * 100x100 box, rendered with sharp to PNG, JPEG, WebP or GIF. Only this renderer reads SVG;
 * uploaded SVG files are rejected by decode.ts.
 */
import sharp from 'sharp';
import { createRandom } from './data.ts';

/** Stroke paths of the digits 0-9, drawn the way people write them, in a 100x100 box. */
export const DIGIT_PATHS: Record<number, string> = {
  0: 'M50 10 C20 10, 22 90, 50 90 C78 90, 80 10, 50 10 Z',
  1: 'M38 24 L54 10 L54 90',
  2: 'M26 30 C26 4, 76 4, 74 32 C72 52, 30 68, 22 90 L80 90',
  3: 'M26 14 L72 14 L46 44 C82 42, 82 92, 46 90 C36 90, 28 86, 22 80',
  4: 'M62 90 L62 10 L20 64 L82 64',
  5: 'M72 12 L34 12 L30 46 C62 34, 82 56, 72 76 C64 94, 36 92, 24 82',
  6: 'M68 10 C40 18, 24 48, 28 70 C32 94, 72 94, 70 68 C68 46, 34 48, 28 68',
  7: 'M22 12 L78 12 L44 90',
  8: 'M50 48 C22 44, 26 10, 50 10 C74 10, 78 44, 50 48 C18 52, 22 90, 50 90 C78 90, 82 52, 50 48 Z',
  9: 'M70 36 C70 8, 30 8, 30 34 C30 58, 68 58, 70 36 L68 90',
};

export interface DrawOptions {
  width?: number;
  height?: number;
  /** Digit box position and size in canvas pixels; defaults to a centred box of 70% height. */
  box?: { x: number; y: number; size: number };
  /** Stroke width in canvas pixels. */
  stroke?: number;
  ink?: string;
  /** Background fill; 'none' leaves the canvas transparent. */
  background?: string;
  /** Rotation in degrees about the box centre. */
  rotate?: number;
  /** Moves every path coordinate by up to this much (in the 100x100 box), like an unsteady hand. */
  jitter?: number;
  /** Seed of the jitter, so that a drawing is reproducible. */
  seed?: number;
}

function jitterPath(path: string, amount: number, random: () => number): string {
  return path.replace(/-?\d+(\.\d+)?/g, (value) =>
    (Number(value) + (random() * 2 - 1) * amount).toFixed(1),
  );
}

/** Returns an SVG string of `digits` written left to right, each in its own box. */
export function digitSvg(digits: string, options: DrawOptions = {}): string {
  const width = options.width ?? 280;
  const height = options.height ?? 280;
  const size = options.box?.size ?? Math.min(height * 0.7, (width * 0.8) / digits.length);
  const top = options.box?.y ?? (height - size) / 2;
  const left = options.box?.x ?? (width - size * digits.length) / 2;
  const stroke = options.stroke ?? size * 0.09;
  const background =
    options.background === 'none'
      ? ''
      : `<rect width="100%" height="100%" fill="${options.background ?? 'white'}"/>`;
  const random = createRandom(options.seed ?? 1);
  const paths = [...digits].map((char, i) => {
    const path = options.jitter
      ? jitterPath(DIGIT_PATHS[Number(char)], options.jitter, random)
      : DIGIT_PATHS[Number(char)];
    const x = left + i * size;
    const scale = size / 100;
    const rotate = options.rotate ? ` rotate(${options.rotate} 50 50)` : '';
    return (
      `<path d="${path}" transform="translate(${x} ${top}) scale(${scale})${rotate}" ` +
      `fill="none" stroke="${options.ink ?? 'black'}" stroke-width="${stroke / scale}" ` +
      'stroke-linecap="round" stroke-linejoin="round"/>'
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `${background}${paths.join('')}</svg>`
  );
}

/** Renders `digits` to image bytes in `format`. */
export async function drawDigits(
  digits: string,
  options: DrawOptions = {},
  format: 'png' | 'jpeg' | 'webp' | 'gif' = 'png',
): Promise<Uint8Array> {
  const image = sharp(Buffer.from(digitSvg(digits, options)));
  const encoded =
    format === 'png'
      ? image.png()
      : format === 'jpeg'
        ? image.flatten({ background: options.background ?? 'white' }).jpeg({ quality: 85 })
        : format === 'webp'
          ? image.webp()
          : image.gif();
  return new Uint8Array(await encoded.toBuffer());
}

import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isNunchiError } from '../../src/core/errors.ts';
import { MAX_IMAGE_BYTES, decodeInk, sniffFormat } from '../../src/vision/decode.ts';
import { prepareDigits } from '../../src/vision/index.ts';
import { digitSvg, drawDigits } from './fixtures.ts';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return isNunchiError(error) ? error.code : `untyped: ${String(error)}`;
  }
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Builds a PNG whose header declares width x height, followed by a tiny pixel stream. */
function pngDeclaring(width: number, height: number): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 0;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('image decoding of bad input', () => {
  it('rejects a zero-byte file as invalid', async () => {
    expect(await codeOf(decodeInk(new Uint8Array(0)))).toBe('IMAGE_INVALID');
  });

  it('rejects text named .png as invalid', async () => {
    const text = new TextEncoder().encode('This is a text file, not a picture.\n');
    expect(await codeOf(decodeInk(text))).toBe('IMAGE_INVALID');
  });

  it('rejects a truncated PNG as invalid', async () => {
    const png = await drawDigits('3', { width: 400, height: 400 });
    const truncated = png.subarray(0, Math.floor(png.length / 2));
    expect(await codeOf(decodeInk(truncated))).toBe('IMAGE_INVALID');
  });

  it('rejects a truncated JPEG as invalid', async () => {
    const jpeg = await drawDigits('3', { width: 400, height: 400 }, 'jpeg');
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    expect(await codeOf(decodeInk(truncated))).toBe('IMAGE_INVALID');
  });

  it('rejects a 30000x30000 PNG by its declared size', async () => {
    const png = pngDeclaring(30_000, 30_000);
    expect(png.length).toBeLessThan(2000);
    const before = process.memoryUsage().rss;
    expect(await codeOf(decodeInk(png))).toBe('IMAGE_TOO_LARGE');
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
  });

  it('rejects more bytes than the upload limit', async () => {
    const bytes = new Uint8Array(MAX_IMAGE_BYTES + 1);
    bytes.set([0xff, 0xd8, 0xff, 0xe0]);
    expect(await codeOf(decodeInk(bytes))).toBe('IMAGE_TOO_LARGE');
  });

  it('rejects SVG as unsupported', async () => {
    const svg = new TextEncoder().encode(digitSvg('4'));
    expect(await codeOf(decodeInk(svg))).toBe('IMAGE_UNSUPPORTED');
    const xml = new TextEncoder().encode(`<?xml version="1.0"?>\n${digitSvg('4')}`);
    expect(await codeOf(decodeInk(xml))).toBe('IMAGE_UNSUPPORTED');
  });

  it('rejects BMP and TIFF as unsupported', async () => {
    expect(() => sniffFormat(Buffer.from('BM\0\0\0\0\0\0'))).toThrow(/BMP/);
    const tiff = await sharp(await drawDigits('1'))
      .tiff()
      .toBuffer();
    expect(await codeOf(decodeInk(tiff))).toBe('IMAGE_UNSUPPORTED');
  });

  it('reports a blank canvas as no digit found', async () => {
    const white = await sharp({
      create: { width: 280, height: 280, channels: 3, background: 'white' },
    })
      .png()
      .toBuffer();
    expect(await codeOf(decodeInk(white))).toBe('NO_DIGIT_FOUND');
    const transparent = await sharp({
      create: { width: 280, height: 280, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    expect(await codeOf(decodeInk(transparent))).toBe('NO_DIGIT_FOUND');
  });
});

describe('image decoding of formats', () => {
  it.each(['png', 'jpeg', 'webp', 'gif'] as const)('decodes a %s digit', async (format) => {
    const inputs = await prepareDigits(await drawDigits('7', {}, format));
    expect(inputs).toHaveLength(1);
    expect(Math.max(...inputs[0].input)).toBeGreaterThan(0.9);
  });

  it('reads the first frame of an animated GIF', async () => {
    const frames = await Promise.all([
      sharp(await drawDigits('1')).toBuffer(),
      sharp(await drawDigits('00', { width: 280 })).toBuffer(),
    ]);
    const gif = await sharp(frames, { join: { animated: true } })
      .gif({ loop: 0, delay: [200, 200] })
      .toBuffer();
    expect((await sharp(gif, { animated: true }).metadata()).pages).toBe(2);
    const inputs = await prepareDigits(gif);
    expect(inputs).toHaveLength(1);
  });

  it('reads a digit in a 24-megapixel photo', async () => {
    const digit = await drawDigits('8', { width: 1500, height: 1500 });
    const photo = await sharp({
      create: { width: 6000, height: 4000, channels: 3, background: '#f4f1ea' },
    })
      .composite([{ input: Buffer.from(digit), left: 2500, top: 1200 }])
      .jpeg({ quality: 90 })
      .toBuffer();
    const inputs = await prepareDigits(photo);
    expect(inputs).toHaveLength(1);
    expect(inputs[0].box.x).toBeGreaterThan(2500);
    expect(inputs[0].box.y).toBeGreaterThan(1200);
    expect(inputs[0].box.height).toBeGreaterThan(900);
  });

  it('puts black strokes on a transparent canvas white on black', async () => {
    const png = await drawDigits('1', { background: 'none' });
    const { ink, width, height } = await decodeInk(png);
    expect(ink[0]).toBe(0);
    expect(ink[Math.floor(height / 2) * width + Math.floor(width * 0.55)]).toBeGreaterThan(0.5);
  });

  it('reads white strokes on black and black strokes on white alike', async () => {
    const dark = await decodeInk(await drawDigits('1', { background: 'black', ink: 'white' }));
    const light = await decodeInk(await drawDigits('1'));
    let difference = 0;
    for (let i = 0; i < dark.ink.length; i += 1) difference += Math.abs(dark.ink[i] - light.ink[i]);
    expect(difference / dark.ink.length).toBeLessThan(0.01);
    expect(Math.max(...dark.ink)).toBe(1);
  });
});

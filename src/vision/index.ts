/**
 * @module Serving API of digit reading, shared by the CLI, the HTTP API, the web canvas and the
 * Discord bot: load a model version once with `loadDigitModel`, then call `readDigits` per image.
 */
import type { DigitAnswer, DigitCandidate, DigitReading } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import { PIXELS } from './data.ts';
import { renderDebugImage } from './debug-image.ts';
import { decodeInk } from './decode.ts';
import type { DigitModel } from './model.ts';
import { toMnistInput } from './mnist-format.ts';
import { groupDigits, labelComponents } from './segment.ts';

export { type DigitModel, loadDigitModel } from './model.ts';
export { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS } from './decode.ts';

/** Top probability under which an answer is "not sure". */
export const UNSURE_BELOW = 0.6;

/** One digit found in an image: its 28x28 input and its box in original image pixels. */
export interface PreparedDigit {
  input: Float32Array;
  box: { x: number; y: number; width: number; height: number };
}

/**
 * Decodes `image` and returns the MNIST-format input of each digit in it, left to right.
 *
 * @throws NunchiError IMAGE_INVALID, IMAGE_UNSUPPORTED, IMAGE_TOO_LARGE for unusable images and
 *   NO_DIGIT_FOUND for blank ones.
 */
export async function prepareDigits(image: Uint8Array): Promise<PreparedDigit[]> {
  const decoded = await decodeInk(image);
  const { labels, regions } = labelComponents(decoded.ink, decoded.width, decoded.height);
  const groups = groupDigits(regions);
  if (groups.length === 0) {
    throw new NunchiError(
      'NO_DIGIT_FOUND',
      'No digit found: the image has no stroke large enough to read; draw a digit with a ' +
        'clear stroke',
    );
  }
  return groups.map((region) => ({
    input: toMnistInput(decoded.ink, labels, decoded.width, decoded.height, region),
    box: {
      x: Math.round(region.x * decoded.scale),
      y: Math.round(region.y * decoded.scale),
      width: Math.max(1, Math.round(region.width * decoded.scale)),
      height: Math.max(1, Math.round(region.height * decoded.scale)),
    },
  }));
}

function toBytes(input: Float32Array): Uint8Array {
  const bytes = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i += 1)
    bytes[i] = Math.round(Math.min(1, Math.max(0, input[i])) * 255);
  return bytes;
}

function topCandidates(probabilities: Float32Array, count = 3): DigitCandidate[] {
  return Array.from(probabilities, (probability, digit) => ({ digit, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, count);
}

/**
 * Reads the digits in `image` with `model`, left to right. The result's kind is 'digit' for one
 * digit and 'number' for several. It is 'unsure' when any digit's top probability is under
 * UNSURE_BELOW; each reading still carries its top three candidates.
 *
 * @param options.debugImage also return the 28x28 inputs, enlarged side by side, as PNG bytes.
 * @throws NunchiError IMAGE_INVALID, IMAGE_UNSUPPORTED, IMAGE_TOO_LARGE, NO_DIGIT_FOUND.
 */
export async function readDigits(
  image: Uint8Array,
  model: DigitModel,
  options: { debugImage?: boolean } = {},
): Promise<DigitAnswer> {
  const prepared = await prepareDigits(image);
  const probabilities = model.predict(prepared.map((digit) => digit.input));
  const digits: DigitReading[] = prepared.map((digit, i) => {
    const top = topCandidates(probabilities[i]);
    return {
      digit: top[0].digit,
      probability: top[0].probability,
      top,
      box: digit.box,
      input: toBytes(digit.input),
    };
  });
  let kind: DigitAnswer['kind'] = digits.length === 1 ? 'digit' : 'number';
  if (digits.some((digit) => digit.probability < UNSURE_BELOW)) kind = 'unsure';
  const answer: DigitAnswer = {
    kind,
    text: digits.map((digit) => String(digit.digit)).join(''),
    digits,
    model: model.name,
    modelVersion: model.version,
  };
  if (options.debugImage) answer.debugImage = await renderDebugImage(digits.map((d) => d.input));
  return answer;
}

/**
 * @module CLI `digit <image...>`: reads the digits in image files with the serving digit model and
 * prints one line (or one JSON object) per file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DigitAnswer, DigitModelName } from '../core/contracts.ts';
import { NunchiError, isNunchiError } from '../core/errors.ts';
import { resolveServingModelDir } from '../models/locate.ts';
import { MAX_IMAGE_BYTES, loadDigitModel, readDigits } from '../vision/index.ts';
import type { CliCommand } from './command.ts';

function percent(probability: number): string {
  return `${(probability * 100).toFixed(1)}%`;
}

/** Formats an answer as one line in Korean and English. */
export function formatAnswer(file: string, answer: DigitAnswer): string {
  const perDigit = answer.digits.map((digit) => `${digit.digit} ${percent(digit.probability)}`);
  if (answer.kind === 'unsure') {
    const candidates = answer.digits
      .map((digit) => digit.top.map((c) => `${c.digit} ${percent(c.probability)}`).join(', '))
      .join(' | ');
    return `${file}: 잘 모르겠어요 / not sure: ${answer.text}? (후보 / candidates: ${candidates})`;
  }
  const label = answer.kind === 'digit' ? '숫자 / digit' : '수 / number';
  return `${file}: ${label} ${answer.text} (${perDigit.join(', ')})`;
}

/** Path of the debug image of the `index`-th file: PATH itself for one file, PATH-N otherwise. */
function debugPath(base: string, index: number, total: number): string {
  if (total === 1) return base;
  const extension = path.extname(base);
  return `${base.slice(0, base.length - extension.length)}-${index + 1}${extension || '.png'}`;
}

async function readImageFile(file: string): Promise<Uint8Array> {
  const stat = await fs.stat(file).catch((error: unknown) => {
    throw new NunchiError(
      'NOT_FOUND',
      `Image file ${file} does not exist`,
      { file },
      { cause: error },
    );
  });
  if (stat.size > MAX_IMAGE_BYTES) {
    throw new NunchiError(
      'IMAGE_TOO_LARGE',
      `${file} is ${(stat.size / 2 ** 20).toFixed(1)} MB; the limit is ${MAX_IMAGE_BYTES / 2 ** 20} MB`,
      { file, bytes: stat.size },
    );
  }
  return new Uint8Array(await fs.readFile(file));
}

const digitCommand: CliCommand = {
  name: 'digit',
  usage: 'digit <image...> [--json] [--debug-image PATH] [--model digits-cnn|digits-mlp]',
  summary: 'read hand-drawn digits in PNG, JPEG, WebP or GIF files',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        'debug-image': { type: 'string' },
        model: { type: 'string', default: 'digits-cnn' },
        'model-dir': { type: 'string' },
      },
    });
    if (positionals.length === 0) {
      throw new NunchiError('BAD_REQUEST', 'Name at least one image file: digit <image...>');
    }
    if (values.model !== 'digits-cnn' && values.model !== 'digits-mlp') {
      throw new NunchiError(
        'BAD_REQUEST',
        `Unknown digit model "${values.model}"; expected digits-cnn or digits-mlp`,
      );
    }
    const modelDir = values['model-dir']
      ? path.resolve(values['model-dir'])
      : await resolveServingModelDir(values.model as DigitModelName);
    const model = await loadDigitModel(modelDir);
    let failures = 0;
    try {
      for (const [index, file] of positionals.entries()) {
        try {
          const image = await readImageFile(file);
          const answer = await readDigits(image, model, {
            debugImage: Boolean(values['debug-image']),
          });
          let debugImage: string | undefined;
          if (values['debug-image'] && answer.debugImage) {
            debugImage = debugPath(values['debug-image'], index, positionals.length);
            await fs.writeFile(debugImage, answer.debugImage);
          }
          if (values.json) {
            const digits = answer.digits.map(({ input: _input, ...reading }) => reading);
            const summary = {
              file,
              kind: answer.kind,
              text: answer.text,
              digits,
              model: answer.model,
              modelVersion: answer.modelVersion,
              debugImage,
            };
            process.stdout.write(`${JSON.stringify(summary)}\n`);
          } else {
            process.stdout.write(`${formatAnswer(file, answer)}\n`);
          }
        } catch (error) {
          if (!isNunchiError(error)) throw error;
          failures += 1;
          if (values.json) {
            process.stdout.write(
              `${JSON.stringify({ file, error: { code: error.code, message: error.message } })}\n`,
            );
          } else {
            process.stderr.write(`${file}: error ${error.code}: ${error.message}\n`);
          }
        }
      }
    } finally {
      model.dispose();
    }
    return failures > 0 ? 1 : 0;
  },
};

export const digitCommands: CliCommand[] = [digitCommand];

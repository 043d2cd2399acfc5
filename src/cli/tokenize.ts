/**
 * @module CLI `tokenize`: tokens of one text, or of every line of a file streamed in order.
 */
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { NunchiError } from '../core/errors.ts';
import { closeKoreanAnalyzer, tokenize, tokenizeMany, type TokenizeOptions } from '../nlp/index.ts';
import type { CliCommand } from './command.ts';

/** Lines tokenized per bulk request while streaming a file. */
const FILE_BATCH_LINES = 2000;

function parseLang(value: string | undefined): 'ko' | 'en' | undefined {
  if (value === undefined || value === 'ko' || value === 'en') return value;
  throw new NunchiError('BAD_REQUEST', `--lang must be ko or en, got "${value}"`, { lang: value });
}

async function writeLine(text: string): Promise<void> {
  if (!process.stdout.write(`${text}\n`)) await once(process.stdout, 'drain');
}

async function flushBatch(
  lines: string[],
  firstLine: number,
  options: TokenizeOptions,
): Promise<void> {
  const outcomes = await tokenizeMany(lines, options);
  let output = '';
  outcomes.forEach((outcome, index) => {
    const line = firstLine + index;
    const record =
      'error' in outcome
        ? { line, tokens: [], error: { code: outcome.error.code, message: outcome.error.message } }
        : {
            line,
            language: outcome.language,
            tokens: outcome.tokens,
            truncated: outcome.truncated,
          };
    output += `${JSON.stringify(record)}\n`;
  });
  if (!process.stdout.write(output)) await once(process.stdout, 'drain');
}

/**
 * Streams `file` (or stdin for "-") and writes one JSON line per input line, in order, including
 * empty lines, which carry a TEXT_EMPTY error. Memory stays bounded by FILE_BATCH_LINES.
 */
async function tokenizeFile(file: string, options: TokenizeOptions): Promise<void> {
  let input: NodeJS.ReadableStream = process.stdin;
  if (file !== '-') {
    const absolute = path.resolve(file);
    try {
      if (!statSync(absolute).isFile()) throw new Error('not a file');
    } catch {
      throw new NunchiError('NOT_FOUND', `No readable file at ${absolute}; check --file`, {
        file: absolute,
      });
    }
    input = createReadStream(absolute, { encoding: 'utf8' });
  }
  const reader = createInterface({ input, crlfDelay: Infinity });
  let batch: string[] = [];
  let nextLine = 1;
  for await (const line of reader) {
    batch.push(line);
    if (batch.length >= FILE_BATCH_LINES) {
      await flushBatch(batch, nextLine, options);
      nextLine += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await flushBatch(batch, nextLine, options);
}

async function tokenizeText(text: string, options: TokenizeOptions, json: boolean): Promise<void> {
  const result = await tokenize(text, options);
  if (json) {
    await writeLine(JSON.stringify(result));
    return;
  }
  await writeLine(result.tokens.join(' '));
  if (result.truncated) {
    process.stderr.write('note: the text was cut to MAX_TEXT_CHARS before analysis\n');
  }
}

function parseTokenizeArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        lang: { type: 'string' },
        pos: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        file: { type: 'string' },
      },
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `${(error as Error).message.split('.')[0]}. To tokenize text that starts with "-", ` +
          'put it after "--": tokenize -- -n'
        : String((error as Error).message);
    throw new NunchiError('BAD_REQUEST', message, {}, { cause: error });
  }
}

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  usage: 'tokenize <text> | --file PATH [--lang ko|en] [--pos] [--json]',
  summary: 'print the tokens of a text, or one JSON line per line of PATH ("-" for stdin)',
  async run(args) {
    const { values, positionals } = parseTokenizeArgs(args);
    const options: TokenizeOptions = { lang: parseLang(values.lang), withPos: values.pos };
    try {
      if (values.file !== undefined) {
        if (positionals.length > 0) {
          throw new NunchiError('BAD_REQUEST', 'Give either a text or --file PATH, not both');
        }
        await tokenizeFile(values.file, options);
      } else {
        if (positionals.length === 0) {
          throw new NunchiError(
            'BAD_REQUEST',
            'Missing text; usage: tokenize <text> or --file PATH',
          );
        }
        await tokenizeText(positionals.join(' '), options, values.json);
      }
    } finally {
      await closeKoreanAnalyzer();
    }
    return 0;
  },
};

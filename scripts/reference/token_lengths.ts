/**
 * @module Writes the token count of every training text that `npm run bench -- train` uses
 * (IMDB train for English, the NSMC train file for Korean), capped at each CNN's maxLength, to
 * var/bench/token-lengths.json. scripts/reference/torch_cnn_epoch.py reads the file with
 * `--lengths` to time PyTorch on batches cut to the same lengths as the TypeScript benchmark.
 *
 * Run: `node --import tsx scripts/reference/token_lengths.ts`
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getConfig, PROJECT_ROOT } from '../../src/core/config.ts';
import { tokenizeForModel } from '../../src/nlp/sentiment/text.ts';
import { loadImdb, loadNsmc } from '../../src/training/datasets/index.ts';
import {
  ENGLISH_CONFIG,
  KOREAN_CONFIG,
  type SentimentTrainingConfig,
} from '../../src/training/sentiment/config.ts';

const OUTPUT_FILE = path.join(PROJECT_ROOT, 'var', 'bench', 'token-lengths.json');

interface LanguageLengths {
  maxLength: number;
  lengths: number[];
}

async function cappedLengths(
  texts: string[],
  training: SentimentTrainingConfig,
): Promise<LanguageLengths> {
  const { tokens } = await tokenizeForModel(texts, training.tokens);
  const maxLength = training.cnn.maxLength;
  return { maxLength, lengths: tokens.map((list) => Math.min(list.length, maxLength)) };
}

const result: Record<string, LanguageLengths> = {};
const imdb = await loadImdb();
result.en = await cappedLengths(
  imdb.train.map((example) => example.text),
  ENGLISH_CONFIG,
);
const nsmcDir = getConfig().nsmcDir;
if (existsSync(nsmcDir)) {
  const nsmc = await loadNsmc(nsmcDir);
  result.ko = await cappedLengths(
    nsmc.train.map((example) => example.text),
    KOREAN_CONFIG,
  );
} else {
  console.warn(`NSMC not found in ${nsmcDir}, so only English lengths are written`);
}
mkdirSync(path.dirname(OUTPUT_FILE), { recursive: true });
writeFileSync(OUTPUT_FILE, JSON.stringify(result));
for (const [lang, { lengths }] of Object.entries(result)) {
  const mean = lengths.reduce((sum, value) => sum + value, 0) / lengths.length;
  console.log(`${lang}: ${lengths.length} texts, mean ${mean.toFixed(1)} tokens after the cap`);
}
console.log(`wrote ${OUTPUT_FILE}`);

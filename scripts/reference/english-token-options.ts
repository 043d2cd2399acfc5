/**
 * @module Compares the English tokenizer's options (Porter stemming, NOT_ negation marking) by
 * the validation accuracy of the n-gram half of sentiment-en: the same seeded 10% validation split
 * of the IMDB training half that training uses, the same n-gram settings and L2 candidates. The
 * test half is not read. Run: `node --import tsx scripts/reference/english-token-options.ts`.
 */
import { createRandom, shuffleInPlace } from '../../src/training/engine/random.ts';
import { loadImdb } from '../../src/training/datasets/index.ts';
import { trainNgram } from '../../src/training/sentiment/ensemble.ts';
import { ENGLISH_CONFIG } from '../../src/training/sentiment/config.ts';
import { tokenizeForModel } from '../../src/nlp/sentiment/text.ts';

const dataset = await loadImdb();
const examples = shuffleInPlace([...dataset.train], createRandom(ENGLISH_CONFIG.seed));
const validationCount = Math.round(examples.length * ENGLISH_CONFIG.validationShare);
const validation = examples.slice(0, validationCount);
const train = examples.slice(validationCount);

const rows: string[] = [];
for (const stem of [false, true]) {
  for (const negation of [false, true]) {
    const settings = { ...ENGLISH_CONFIG.tokens, stem, negation };
    const started = performance.now();
    const trainTokens = (
      await tokenizeForModel(
        train.map((e) => e.text),
        settings,
      )
    ).tokens;
    const validationTokens = (
      await tokenizeForModel(
        validation.map((e) => e.text),
        settings,
      )
    ).tokens;
    const result = trainNgram(
      ENGLISH_CONFIG,
      { trainTokens, validationTokens, train, validation },
      ENGLISH_CONFIG.seed,
      undefined,
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const accuracy = (result.validationAccuracy * 100).toFixed(2);
    rows.push(
      `| ${stem ? 'on' : 'off'} | ${negation ? 'on' : 'off'} | ${accuracy}% | ${result.l2} | ${seconds} |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  }
}
process.stdout.write(
  `| stemming | negation | validation accuracy | L2 | seconds |\n| --- | --- | ---: | ---: | ---: |\n${rows.join('\n')}\n`,
);

/**
 * @module CLI `sentiment <text>`: classifies one text with the serving model of its language and
 * prints the label, probability, language and the words that pushed the decision most.
 */
import { parseArgs } from 'node:util';
import type { SentimentResult } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import { resolveServingModelDir } from '../models/locate.ts';
import { detectLanguage } from '../nlp/index.ts';
import {
  chooseModelLanguage,
  classifySentiment,
  loadSentimentModel,
} from '../nlp/sentiment/index.ts';
import type { CliCommand } from './command.ts';

function formatResult(result: SentimentResult): string {
  const label = result.label === 'positive' ? 'positive (긍정)' : 'negative (부정)';
  const lines = [
    `${label}  P(positive) ${result.probabilityPositive.toFixed(3)}  confidence ${result.confidence.toFixed(3)}`,
    `language ${result.language}, model ${result.model} ${result.modelVersion}` +
      (result.truncated ? ' (text truncated)' : ''),
  ];
  if (result.topWords.length > 0) {
    const words = result.topWords.map(
      (word) => `${word.token} ${word.weight >= 0 ? '+' : ''}${word.weight.toFixed(3)}`,
    );
    lines.push(`top words: ${words.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

const sentimentCommand: CliCommand = {
  name: 'sentiment',
  usage: 'sentiment <text> [--lang ko|en] [--json]',
  summary: 'classify a Korean or English text as positive or negative (긍정/부정)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { lang: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const text = positionals.join(' ');
    if (text.trim() === '') {
      throw new NunchiError('TEXT_EMPTY', 'No text given; usage: sentiment <text> [--json]');
    }
    if (values.lang !== undefined && values.lang !== 'ko' && values.lang !== 'en') {
      throw new NunchiError('BAD_REQUEST', `--lang must be ko or en, got "${values.lang}"`);
    }
    const lang =
      values.lang ?? chooseModelLanguage(detectLanguage(text), { ko: undefined, en: undefined });
    const model = await loadSentimentModel(
      await resolveServingModelDir(lang === 'ko' ? 'sentiment-ko' : 'sentiment-en'),
    );
    try {
      const result = await classifySentiment(text, { [lang]: model }, { lang });
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : formatResult(result));
    } finally {
      model.dispose();
    }
    return 0;
  },
};

export const sentimentCommands: CliCommand[] = [sentimentCommand];

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRandom } from '../../src/training/engine/random.ts';
import type { SentimentTrainingConfig } from '../../src/training/sentiment/config.ts';

const WORDS = {
  en: {
    positive: ['great', 'wonderful', 'loved', 'brilliant', 'moving', 'superb'],
    negative: ['awful', 'boring', 'hated', 'terrible', 'dull', 'waste'],
    neutral: ['the', 'movie', 'film', 'plot', 'actor', 'scene', 'was', 'and', 'story', 'it'],
  },
  ko: {
    positive: ['최고', '감동', '재밌다', '훌륭하다', '좋다', '명작'],
    negative: ['최악', '지루하다', '별로', '실망', '쓰레기', '노잼'],
    neutral: ['영화', '배우', '연기', '스토리', '정말', '이', '그', '장면', '감독', '음악'],
  },
};

/** Writes a CSV of synthetic reviews whose label follows their sentiment words. */
export function writeSyntheticCsv(dir: string, lang: 'en' | 'ko', count: number, seed = 1): string {
  const random = createRandom(seed);
  const pick = (list: string[]) => list[Math.floor(random() * list.length)];
  const words = WORDS[lang];
  const lines = ['text,label'];
  for (let i = 0; i < count; i += 1) {
    const label = i % 2;
    const tokens = Array.from({ length: 4 + Math.floor(random() * 6) }, () => pick(words.neutral));
    const cue = label === 1 ? words.positive : words.negative;
    tokens.splice(Math.floor(random() * tokens.length), 0, pick(cue), pick(cue));
    lines.push(`${tokens.join(' ')},${label}`);
  }
  const file = path.join(dir, `${lang}-reviews.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A configuration small enough to train in a few seconds. */
export function tinyConfig(base: SentimentTrainingConfig): SentimentTrainingConfig {
  return {
    ...base,
    cnn: {
      ...base.cnn,
      vocabularySize: 200,
      embeddingDim: 8,
      maxLength: 24,
      kernelSizes: [2, 3],
      filters: 8,
      hiddenUnits: 8,
    },
    minTokenCount: 1,
    epochs: 2,
    batchSize: 16,
    learningRate: 0.01,
    ngram: { ...base.ngram, maxN: 2, minDocumentCount: 1, maxFeatures: 2_000, epochs: 5 },
    ngramL2Candidates: [1e-4, 1e-3],
  };
}

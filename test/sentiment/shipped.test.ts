import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/config.ts';
import { initTf } from '../../src/core/tf.ts';
import { classifySentiment, loadSentimentModel } from '../../src/nlp/sentiment/index.ts';

function shippedDir(name: string): string | undefined {
  const pointer = path.join(PROJECT_ROOT, 'data', 'models', name, 'CURRENT');
  if (!existsSync(pointer)) return undefined;
  return path.join(PROJECT_ROOT, 'data', 'models', name, readFileSync(pointer, 'utf8').trim());
}

const CASES = [
  {
    name: 'sentiment-en',
    lang: 'en',
    target: 0.9,
    positive: 'A wonderful, moving film with superb acting.',
    negative: 'Boring, predictable and a complete waste of time.',
  },
  {
    name: 'sentiment-ko',
    lang: 'ko',
    target: 0.87,
    positive: '배우들 연기도 좋고 스토리도 감동적이었어요. 강추!',
    negative: '진짜 지루하고 돈 아까운 최악의 영화',
  },
] as const;

describe.each(CASES)('shipped $name', ({ name, lang, target, positive, negative }) => {
  const dir = shippedDir(name);

  it.skipIf(!dir)('meets its accuracy target and classifies clear reviews', async () => {
    await initTf();
    const baseline = tf.memory().numTensors;
    const model = await loadSentimentModel(dir!);
    try {
      expect(model.metadata.metrics.accuracy).toBeGreaterThanOrEqual(target);
      const good = await classifySentiment(positive, { [lang]: model });
      const bad = await classifySentiment(negative, { [lang]: model });
      expect(good.label).toBe('positive');
      expect(bad.label).toBe('negative');
      expect(good.model).toBe(name);
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

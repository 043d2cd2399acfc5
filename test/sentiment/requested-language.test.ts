import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/config.ts';
import { NunchiError } from '../../src/core/errors.ts';
import { initTf } from '../../src/core/tf.ts';
import { classifySentiment, loadSentimentModel } from '../../src/nlp/sentiment/index.ts';

const pointer = path.join(PROJECT_ROOT, 'data', 'models', 'sentiment-en', 'CURRENT');
const dir = existsSync(pointer)
  ? path.join(path.dirname(pointer), readFileSync(pointer, 'utf8').trim())
  : undefined;

describe('requested language', () => {
  it.skipIf(!dir)('rejects lang without its script', async () => {
    await initTf();
    const model = await loadSentimentModel(dir!);
    try {
      const error = await classifySentiment('정말 재밌어요', { en: model }, { lang: 'en' }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(NunchiError);
      expect((error as NunchiError).code).toBe('TEXT_INVALID');
      expect((error as NunchiError).message).toContain('omit lang');
      const mixed = await classifySentiment('정말 good movie', { en: model }, { lang: 'en' });
      expect(mixed.model).toBe('sentiment-en');
      expect(mixed.tokens).toContain('good');
    } finally {
      model.dispose();
    }
  });
});

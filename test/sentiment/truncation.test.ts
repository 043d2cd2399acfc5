import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// MAX_TEXT_CHARS is read once per process, so it is set before the modules that read it load.
process.env.MAX_TEXT_CHARS = '200';
const { PROJECT_ROOT } = await import('../../src/core/config.ts');
const { initTf } = await import('../../src/core/tf.ts');
const { classifySentiment, loadSentimentModel } = await import('../../src/nlp/sentiment/index.ts');

const pointer = path.join(PROJECT_ROOT, 'data', 'models', 'sentiment-en', 'CURRENT');
const dir = existsSync(pointer)
  ? path.join(path.dirname(pointer), readFileSync(pointer, 'utf8').trim())
  : undefined;

describe('served text cap', () => {
  it.skipIf(!dir)('cuts text at MAX_TEXT_CHARS and says so', async () => {
    await initTf();
    const model = await loadSentimentModel(dir!);
    try {
      const long = await classifySentiment('good movie '.repeat(100), { en: model });
      expect(long.truncated).toBe(true);
      // 200 characters hold 18 full repetitions of "good movie " and part of a 19th.
      expect(long.tokens.length).toBeLessThanOrEqual(2 * 19);
      const short = await classifySentiment('good movie '.repeat(10), { en: model });
      expect(short.truncated).toBe(false);
      expect(short.tokens.length).toBe(20);
    } finally {
      model.dispose();
    }
  });
});

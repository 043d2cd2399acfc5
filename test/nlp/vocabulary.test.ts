import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAD_TOKEN, UNK_TOKEN, Vocabulary } from '../../src/nlp/index.ts';

const corpus = [
  ['영화', '가', '좋', '다'],
  ['영화', '가', '별로', '다'],
  ['영화', '최고'],
];

describe('Vocabulary', () => {
  it('reserves ids 0 and 1', () => {
    const vocabulary = Vocabulary.build(corpus, { maxSize: 10 });
    expect(Vocabulary.PAD).toBe(0);
    expect(Vocabulary.UNK).toBe(1);
    expect(vocabulary.tokenAt(0)).toBe(PAD_TOKEN);
    expect(vocabulary.tokenAt(1)).toBe(UNK_TOKEN);
  });

  it('orders tokens by count, ties by code point', () => {
    const vocabulary = Vocabulary.build(corpus, { maxSize: 10 });
    expect(vocabulary.tokenAt(2)).toBe('영화');
    expect([vocabulary.tokenAt(3), vocabulary.tokenAt(4)]).toEqual(['가', '다']);
    expect(vocabulary.size).toBe(8);
  });

  it('respects maxSize and minCount', () => {
    expect(Vocabulary.build(corpus, { maxSize: 4 }).size).toBe(4);
    const frequent = Vocabulary.build(corpus, { maxSize: 100, minCount: 2 });
    expect(frequent.size).toBe(5);
    expect(frequent.idOf('최고')).toBe(Vocabulary.UNK);
  });

  it('rejects a maxSize below 2', () => {
    expect(() => Vocabulary.build(corpus, { maxSize: 1 })).toThrow(/at least 2/);
  });

  it('encodes with padding, truncation and UNK', () => {
    const vocabulary = Vocabulary.build(corpus, { maxSize: 10 });
    const ids = vocabulary.encode(['영화', '없는말', PAD_TOKEN], 5);
    expect(Array.from(ids)).toEqual([vocabulary.idOf('영화'), 1, 1, 0, 0]);
    expect(vocabulary.encode(['영화', '가', '좋'], 2)).toHaveLength(2);
    expect(vocabulary.encode([], 3)).toEqual(new Int32Array(3));
  });

  it('never yields NaN or an id past the embedding', () => {
    const vocabulary = Vocabulary.build(corpus, { maxSize: 5 });
    const tokens = ['영화', '', 'constructor', '__proto__', 'toString', '😀', '가', '다', '좋'];
    const ids = vocabulary.encode(tokens, 12);
    for (const id of ids) {
      expect(Number.isInteger(id)).toBe(true);
      expect(id).toBeGreaterThanOrEqual(0);
      expect(id).toBeLessThan(vocabulary.size);
    }
    expect(vocabulary.tokenAt(999)).toBe(UNK_TOKEN);
  });

  it('survives a save and load round trip', () => {
    const vocabulary = Vocabulary.build(corpus, { maxSize: 10 });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-vocab-'));
    try {
      const file = path.join(dir, 'vocabulary.json');
      writeFileSync(file, JSON.stringify(vocabulary));
      const loaded = Vocabulary.fromJSON(JSON.parse(readFileSync(file, 'utf8')));
      expect(loaded.size).toBe(vocabulary.size);
      expect(loaded.toJSON()).toEqual(vocabulary.toJSON());
      expect(loaded.encode(['영화', '최고', '?'], 4)).toEqual(
        vocabulary.encode(['영화', '최고', '?'], 4),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['null', null],
    ['wrong format', { format: 'other', version: 1, tokens: [PAD_TOKEN, UNK_TOKEN] }],
    ['newer version', { format: 'nunchi-vocabulary', version: 2, tokens: [PAD_TOKEN, UNK_TOKEN] }],
    ['missing reserved tokens', { format: 'nunchi-vocabulary', version: 1, tokens: ['a', 'b'] }],
    [
      'non-string token',
      { format: 'nunchi-vocabulary', version: 1, tokens: [PAD_TOKEN, UNK_TOKEN, 3] },
    ],
    [
      'duplicates',
      { format: 'nunchi-vocabulary', version: 1, tokens: [PAD_TOKEN, UNK_TOKEN, 'a', 'a'] },
    ],
  ])('rejects %s with MODEL_INVALID', (_name, json) => {
    expect(() => Vocabulary.fromJSON(json)).toThrow(
      expect.objectContaining({ code: 'MODEL_INVALID' }),
    );
  });
});

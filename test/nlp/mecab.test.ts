/**
 * Tests of the MeCab-backed analyzer. They need the binary that `npm install` builds, and fail
 * (they do not skip) when it is missing, because CI runs `npm install` first.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeKoreanAnalyzer,
  createKoreanAnalyzer,
  getKoreanAnalyzer,
  koreanTokens,
  mecabYa,
  tokenize,
  type KoreanAnalyzer,
} from '../../src/nlp/index.ts';
import type { MecabAnalyzer } from '../../src/nlp/korean/analyzer.ts';

let analyzer: KoreanAnalyzer;

beforeAll(async () => {
  analyzer = await createKoreanAnalyzer();
});

afterAll(async () => {
  await analyzer.close();
  await closeKoreanAnalyzer();
});

const tagged = (text: string) =>
  analyzer.analyze(text).then((morphemes) => koreanTokens(morphemes, { withPos: true }));

describe('MeCab analyzer', () => {
  it('is built and running', () => {
    // A failure here means `npm install` could not build vendor/mecab/bin/mecab; the reason names
    // what was missing. Run `node scripts/build-mecab.mjs` to see the build output.
    expect(analyzer.reason).toBeUndefined();
    expect(analyzer.engine).toBe('mecab');
  });

  it('analyses a known sentence', async () => {
    const tokens = await tagged('아버지가방에들어가신다');
    expect(tokens.slice(0, 5)).toEqual(['아버지/NNG', '가/JKS', '방/NNG', '에/JKB', '들어가/VV']);
    expect(tokens[5]).toMatch(/^신다\//);
    expect(tokens).toHaveLength(6);
  });

  it('exposes every feature of a morpheme', async () => {
    const [first] = await analyzer.analyze('아버지');
    expect(first.surface).toBe('아버지');
    expect(first.pos).toBe('NNG');
    expect(first.features[0]).toBe('NNG');
    expect(first.features).toHaveLength(8);
    expect(JSON.parse(JSON.stringify(first))).toEqual({
      surface: '아버지',
      pos: 'NNG',
      features: first.features,
    });
  });

  it('gives identical morphemes for NFC and NFD after normalize', async () => {
    const text = '정말 재밌었던 영화';
    const nfc = await tokenize(text.normalize('NFC'), { withPos: true });
    const nfd = await tokenize(text.normalize('NFD'), { withPos: true });
    expect(nfd.tokens).toEqual(nfc.tokens);
    expect(nfc.tokens).toContain('영화/NNG');
  });

  it('returns bulk results in input order', async () => {
    const texts = Array.from({ length: 3000 }, (_, index) => `영화 ${index}번 최고`);
    texts[7] = '';
    const results = await analyzer.analyzeMany(texts);
    expect(results).toHaveLength(texts.length);
    expect(results[7]).toEqual([]);
    for (const index of [0, 1, 999, 2999]) {
      expect(results[index].map((morpheme) => morpheme.surface)).toEqual([
        '영화',
        String(index),
        '번',
        '최고',
      ]);
    }
  });

  it('keeps concurrent requests in order', async () => {
    const texts = Array.from({ length: 300 }, (_, index) => `리뷰 ${index}`);
    const results = await Promise.all(texts.map((text) => analyzer.analyze(text)));
    results.forEach((morphemes, index) => {
      expect(morphemes.map((morpheme) => morpheme.surface)).toEqual(['리뷰', String(index)]);
    });
  });

  it('keeps a line break inside a text from splitting it', async () => {
    const results = await analyzer.analyzeMany(['첫째\n둘째', '셋째']);
    expect(results).toHaveLength(2);
    expect(results[0].map((morpheme) => morpheme.surface).join(' ')).toContain('둘째');
    expect(results[1].map((morpheme) => morpheme.surface)).toEqual(['셋째']);
  });

  it('analyses a 100,000-character text as one line', async () => {
    const long = await createKoreanAnalyzer({ maxChars: 100_000 });
    try {
      const text = '가나다라마바사'.repeat(100_000 / 7);
      const [morphemes, after] = await long.analyzeMany([text, '영화']);
      expect(morphemes.map((morpheme) => morpheme.surface).join('')).toBe(text);
      expect(after.map((morpheme) => morpheme.surface)).toEqual(['영화']);
    } finally {
      await long.close();
    }
  });

  it('restarts a killed process and finishes the bulk request', async () => {
    const texts = Array.from({ length: 40_000 }, (_, index) => `배우 ${index % 97} 연기 좋다`);
    const expected = await analyzer.analyzeMany(texts.slice(0, 100));
    const victim = (await createKoreanAnalyzer()) as MecabAnalyzer;
    try {
      const pending = victim.analyzeMany(texts);
      const pid = victim.pid;
      expect(pid).toBeTypeOf('number');
      setTimeout(() => process.kill(pid as number, 'SIGKILL'), 30);
      const results = await pending;
      expect(victim.restartCount).toBe(1);
      expect(victim.pid).not.toBe(pid);
      expect(results).toHaveLength(texts.length);
      const surfaces = (index: number) => results[index].map((morpheme) => morpheme.surface);
      expect(surfaces(0)).toEqual(expected[0].map((morpheme) => morpheme.surface));
      expect(surfaces(39_999)).toEqual(['배우', String(39_999 % 97), '연기', '좋', '다']);
    } finally {
      await victim.close();
    }
  });
});

describe('bad input through MeCab', () => {
  const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'nunchi-nlp-')), 'ran');
  afterAll(() => rmSync(path.dirname(marker), { recursive: true, force: true }));

  it.each([
    ['a lone -n', '-n', ['-', 'n']],
    ['\\c in the middle', '좋다 \\c 뒤에도 글', ['좋', '다', '\\', 'c', '뒤', '에', '도', '글']],
    ['a literal \\n', '영화\\n최고', ['영화', '\\', 'n', '최고']],
    ['backticks', `\`touch ${marker}\``, ['`', 'touch', '`']],
    ['$(...)', `$(touch ${marker})`, ['$(', 'touch', ')']],
    ['; and |', `; touch ${marker} | cat`, [';', 'touch', '|', 'cat']],
  ])('analyses %s literally', async (_name, text, expected) => {
    const { tokens } = await tokenize(text, { lang: 'ko' });
    for (const token of expected) expect(tokens).toContain(token);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    ['only jamo ㅋㅋㅋ', 'ㅋㅋㅋ', 'ko', ['ㅋㅋㅋ']],
    ['only jamo ㅠㅠ', 'ㅠㅠ', 'ko', ['ㅠㅠ']],
    ['only emoji 👍🏻', '👍🏻', 'unknown', ['👍🏻']],
    ['emoji with a zero-width joiner', '🤦‍♀️', 'unknown', ['🤦', '♀️']],
    ['zero-width joiners inside a word', '재\u200D밌\u200B다', 'ko', ['재밌', '다']],
    ['NUL bytes', '영화\u0000최고', 'ko', ['영화', '최고']],
    ['a lone surrogate', '영화\uD800최고', 'ko', ['영화', '최고']],
    ['NFD Hangul', '영화 최고'.normalize('NFD'), 'ko', ['영화', '최고']],
  ])('tokenizes %s', async (_name, text, language, expected) => {
    const result = await tokenize(text);
    expect(result.language).toBe(language);
    expect(result.tokens).toEqual(expected);
    const joined = result.tokens.join('');
    for (const unwanted of ['\u0000', '\u200B', '\u200D']) expect(joined).not.toContain(unwanted);
    expect(joined).not.toMatch(/[\uD800-\uDFFF]/u);
  });

  it.each([
    ['empty text', ''],
    ['only spaces', '   \t\n '],
    ['only zero-width characters', '\u200B\u200D\uFEFF'],
    ['only NUL bytes', '\u0000\u0000'],
    ['only a lone surrogate', '\uDC00'],
  ])('rejects %s with TEXT_EMPTY', async (_name, text) => {
    await expect(tokenize(text)).rejects.toMatchObject({ code: 'TEXT_EMPTY' });
  });

  it('rejects a non-string with TEXT_INVALID', async () => {
    await expect(tokenize(42 as unknown as string)).rejects.toMatchObject({ code: 'TEXT_INVALID' });
    await expect(analyzer.analyze(null as unknown as string)).rejects.toMatchObject({
      code: 'TEXT_INVALID',
    });
  });

  it('cuts 100,000 characters to MAX_TEXT_CHARS and says so', async () => {
    const result = await tokenize('정말 좋은 영화 '.repeat(12_500));
    expect(result.truncated).toBe(true);
    expect(result.normalized.length).toBeLessThanOrEqual(5000);
    expect(result.tokens.slice(0, 3)).toEqual(['정말', '좋', '은']);
  });

  it('leaves short text untruncated', async () => {
    expect((await tokenize('좋은 영화')).truncated).toBe(false);
  });
});

describe('mecab-ya compatible API', () => {
  it('returns pos pairs as a promise', async () => {
    const pairs = await mecabYa.pos('아버지가방에들어가신다');
    expect(pairs.slice(0, 2)).toEqual([
      ['아버지', 'NNG'],
      ['가', 'JKS'],
    ]);
  });

  it('calls a Node-style callback', async () => {
    const morphs = await new Promise<string[] | undefined>((resolve, reject) => {
      mecabYa.morphs('영화가 좋다', (error, result) => (error ? reject(error) : resolve(result)));
    });
    expect(morphs).toEqual(['영화', '가', '좋', '다']);
  });

  it('keeps only common and proper nouns', async () => {
    expect(await mecabYa.nouns('서울에서 영화를 봤다')).toEqual(['서울', '영화']);
  });

  it('analyses -n instead of dropping it', async () => {
    expect(await mecabYa.morphs('-n')).toEqual(['-', 'n']);
  });

  it('shares the process-wide analyzer', async () => {
    expect(await getKoreanAnalyzer()).toBe(await getKoreanAnalyzer());
  });
});

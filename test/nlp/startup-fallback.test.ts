/**
 * Start-up of the process-wide analyzer when MECAB_BIN points at no binary. Runs in its own
 * process (vitest forks per file), so the configuration read here does not leak into other files.
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const warn = vi.fn();
vi.mock('../../src/core/logger.ts', () => ({
  getLogger: () => ({ warn, info: vi.fn(), debug: vi.fn(), error: vi.fn() }),
}));

process.env.MECAB_BIN = path.join(os.tmpdir(), 'nunchi-missing-mecab', 'mecab');
const { closeKoreanAnalyzer, getKoreanAnalyzer, tokenize } = await import('../../src/nlp/index.ts');

afterAll(() => {
  delete process.env.MECAB_BIN;
});

describe('getKoreanAnalyzer without MeCab', () => {
  it('serves the fallback and warns once', async () => {
    const first = await getKoreanAnalyzer();
    const second = await getKoreanAnalyzer();
    expect(second).toBe(first);
    expect(first.engine).toBe('fallback');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][1])).toContain('MeCab binary not found');
    expect(String(warn.mock.calls[0][1])).toContain('nunchi-missing-mecab');
  });

  it('still tokenizes Korean text', async () => {
    const result = await tokenize('영화가 정말 최고');
    expect(result.language).toBe('ko');
    expect(result.tokens).toEqual(['영화', '가', '정말', '최고']);
    await closeKoreanAnalyzer();
  });
});

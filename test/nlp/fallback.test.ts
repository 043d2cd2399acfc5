import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKoreanAnalyzer, fallbackMorphemes, koreanTokens } from '../../src/nlp/index.ts';
import { MecabProcess } from '../../src/nlp/korean/mecab-process.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'nunchi-fallback-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes an executable shell script that replaces MeCab to simulate a broken binary. */
function fakeMecab(name: string, body: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const tagged = (text: string) => koreanTokens(fallbackMorphemes(text), { withPos: true });

describe('fallback tokenizer', () => {
  it.each([
    ['영화가 최고', ['영화/UNKNOWN', '가/J', '최고/UNKNOWN']],
    ['재밌었다', ['재밌/UNKNOWN', '었다/E']],
    ['바다', ['바다/UNKNOWN']],
    ['서울에서는', ['서울/UNKNOWN', '에서는/J']],
    ['CG 9/10 ㅋㅋㅋ', ['CG/SL', '9/10/SN', 'ㅋㅋㅋ/UNKNOWN']],
    ['좋았다! 👍🏻', ['좋/UNKNOWN', '았다/E', '!/SF', '👍🏻/SY']],
    ['좋다', ['좋다/UNKNOWN']],
    ['漢字 test', ['漢字/SH', 'test/SL']],
  ])('tokenizes %s', (text, expected) => {
    expect(tagged(text)).toEqual(expected);
  });

  it('returns nothing for whitespace', () => {
    expect(fallbackMorphemes('  ')).toEqual([]);
  });

  it('gives mecab-ko-dic style features', () => {
    const [first] = fallbackMorphemes('영화');
    expect(first.features[0]).toBe(first.pos);
    expect(first.features).toHaveLength(8);
  });
});

describe('analyzer start-up without MeCab', () => {
  it('falls back with a reason when the binary is missing', async () => {
    const analyzer = await createKoreanAnalyzer({ bin: path.join(scratch, 'no-such-mecab') });
    expect(analyzer.engine).toBe('fallback');
    expect(analyzer.reason).toContain('MeCab binary not found');
    expect(analyzer.reason).toContain('build-mecab.mjs');
    const results = await analyzer.analyzeMany(['영화가 최고', '', '좋았다']);
    expect(results.map((morphemes) => koreanTokens(morphemes))).toEqual([
      ['영화', '가', '최고'],
      [],
      ['좋', '았다'],
    ]);
    await analyzer.close();
  });

  it('falls back when the dictionary is missing', async () => {
    const analyzer = await createKoreanAnalyzer({ dicDir: scratch });
    expect(analyzer.engine).toBe('fallback');
    expect(analyzer.reason).toContain('sys.dic');
  });

  it('falls back when the binary fails its start-up check', async () => {
    const bin = fakeMecab('exits', 'exit 3');
    const analyzer = await createKoreanAnalyzer({ bin });
    expect(analyzer.engine).toBe('fallback');
    expect(analyzer.reason).toContain('start-up check');
    expect(analyzer.reason).toContain('exited with code 3');
  });

  it('falls back when the binary prints a wrong analysis', async () => {
    const bin = fakeMecab('wrong', 'while read line; do printf "x\\tNNG,*\\nEOS\\n"; done');
    const analyzer = await createKoreanAnalyzer({ bin });
    expect(analyzer.engine).toBe('fallback');
    expect(analyzer.reason).toContain('x/NNG');
  });
});

describe('MeCab process failures', () => {
  it('fails with ANALYZER_FAILED after one restart', async () => {
    const bin = fakeMecab('dies', 'exit 1');
    const mecab = new MecabProcess({ bin, args: [] });
    await expect(mecab.analyzeLines(['영화'])).rejects.toMatchObject({
      code: 'ANALYZER_FAILED',
      message: expect.stringContaining('again after one restart, so the text was not analysed'),
    });
    expect(mecab.restartCount).toBe(1);
    await mecab.close();
  });

  it('kills a stalled process instead of hanging', async () => {
    const bin = fakeMecab('stalls', 'exec sleep 30');
    const mecab = new MecabProcess({ bin, args: [] }, { stallTimeoutMs: 200 });
    const started = Date.now();
    await expect(mecab.analyzeLines(['영화'])).rejects.toMatchObject({ code: 'ANALYZER_FAILED' });
    expect(Date.now() - started).toBeLessThan(5000);
    await mecab.close();
  });

  it('rejects requests after close', async () => {
    const mecab = new MecabProcess({ bin: fakeMecab('cat', 'exec cat'), args: [] });
    await mecab.close();
    await expect(mecab.analyzeLines(['a'])).rejects.toMatchObject({
      code: 'ANALYZER_UNAVAILABLE',
    });
  });

  it('rejects a line with a line break', async () => {
    const mecab = new MecabProcess({ bin: fakeMecab('cat2', 'exec cat'), args: [] });
    await expect(mecab.analyzeLines(['a\nb'])).rejects.toMatchObject({ code: 'TEXT_INVALID' });
    await mecab.close();
  });
});

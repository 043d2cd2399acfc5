import { describe, expect, it } from 'vitest';
import { capText, detectLanguage, normalize, toMecabLine } from '../../src/nlp/index.ts';

describe('normalize', () => {
  it.each([
    ['NFD Hangul to NFC', '영화'.normalize('NFD'), '영화'],
    ['zero-width characters and BOM', '\uFEFF좋\u200B아\u200C요\u200D\u2060', '좋아요'],
    ['tabs, newlines and separators', 'a\tb\nc\r\nd\u2028e\u2029f', 'a b c d e f'],
    ['runs of whitespace', '  a \u00A0\u3000  b  ', 'a b'],
    ['runs longer than three', 'ㅋㅋㅋㅋㅋㅋ 와아아아아 !!!!!', 'ㅋㅋㅋ 와아아아 !!!'],
    ['runs of three kept', 'ㅋㅋㅋ', 'ㅋㅋㅋ'],
    ['HTML line breaks', 'Great.<br /><br />Loved it<br>', 'Great. Loved it'],
    ['HTML entities', 'Tom &amp; Jerry &quot;ok&quot;', 'Tom & Jerry "ok"'],
    ['emoji kept', '최고 👍🏻', '최고 👍🏻'],
    ['ratings and digits kept', 'score 9/10, 7.5 stars', 'score 9/10, 7.5 stars'],
    ['NUL and control characters', 'a\u0000b\u0007c\u009Fd', 'a b c d'],
    ['lone surrogates', 'a\uD800b\uDC00c', 'a b c'],
    ['emoji runs squeezed by code point', '😂😂😂😂😂', '😂😂😂'],
  ])('handles %s', (_name, input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  it('keeps surrogate pairs whole', () => {
    expect(normalize('𝄞 🤦🏻')).toBe('𝄞 🤦🏻');
  });

  it('gives identical output for NFC and NFD input', () => {
    const text = '아버지가 방에 들어가신다. 정말 재밌었어요 ㅋㅋㅋㅋ';
    expect(normalize(text.normalize('NFD'))).toBe(normalize(text.normalize('NFC')));
  });

  it('is idempotent', () => {
    const text = ' 와아아아아\t<br />정말\u200B 최고!!!!! 10/10 ';
    expect(normalize(normalize(text))).toBe(normalize(text));
  });

  it('never leaves a line break', () => {
    const text = 'a\n\r\u2028\u2029\u0085\u000B\u000Cb';
    for (const lineBreak of ['\n', '\r', '\u2028', '\u2029', '\u0085', '\u000B', '\u000C']) {
      expect(normalize(text)).not.toContain(lineBreak);
    }
  });
});

describe('capText', () => {
  it('leaves short text alone', () => {
    expect(capText('abc', 5)).toEqual({ text: 'abc', truncated: false });
  });

  it('cuts long text and reports it', () => {
    expect(capText('abcdef', 4)).toEqual({ text: 'abcd', truncated: true });
  });

  it('does not split a surrogate pair', () => {
    const capped = capText('ab😀cd', 3);
    expect(capped.text).toBe('ab');
    expect(capped.truncated).toBe(true);
  });
});

describe('toMecabLine', () => {
  it('maps line breaks and NUL to spaces', () => {
    expect(toMecabLine('a\nb\rc\u0000d', 100).text).toBe('a b c d');
  });
});

describe('detectLanguage', () => {
  it.each([
    ['정말 재밌는 영화', 'ko'],
    ['ㅋㅋㅋ', 'ko'],
    ['What a great movie', 'en'],
    ['Amélie était naïve', 'en'],
    ['CG가 좋다', 'ko'],
    ['this 영화 is 최고', 'mixed'],
    ['👍🏻', 'unknown'],
    ['10/10', 'unknown'],
    ['', 'unknown'],
    ['これは映画です', 'unknown'],
  ])('detects %s as %s', (text, language) => {
    expect(detectLanguage(text).language).toBe(language);
  });

  it('reports script shares', () => {
    const guess = detectLanguage('abcd가나');
    expect(guess.hangulShare).toBeCloseTo(0.5);
    expect(guess.latinShare).toBeCloseTo(0.5);
  });

  it('counts NFD Hangul like NFC', () => {
    expect(detectLanguage('영화'.normalize('NFD'))).toEqual(detectLanguage('영화'));
  });
});

/**
 * @module Pure-JS Korean tokenizer that serves when MeCab cannot be built or found.
 *
 * It splits text into runs of one script (Hangul, Latin, digits with ratings, other letters) and
 * single symbols, then strips one common particle or verb ending from the end of each Hangul run
 * ("영화가" -> 영화 + 가, "재밌었다" -> 재밌 + 었다). It uses no dictionary, so its tokens differ
 * from MeCab's and a model trained on MeCab tokens scores worse on them.
 *
 * Tags follow mecab-ko-dic where they can: SL (Latin), SN (number), SF/SC/SY (punctuation and
 * symbols), SH (Hanja), J (particle), E (ending) and UNKNOWN for any unanalysed stem.
 */
import type { Morpheme } from './morpheme.ts';

/** One run of a script, a number or rating, or one symbol (an emoji with its modifiers). */
const SEGMENT = new RegExp(
  [
    String.raw`(?<hangul>[\uAC00-\uD7A3]+)`,
    String.raw`(?<jamo>[\u1100-\u11FF\u3130-\u318F]+)`,
    String.raw`(?<number>\d+(?:[.,/:]\d+)*)`,
    String.raw`(?<latin>[\p{Script=Latin}\p{M}]+)`,
    String.raw`(?<hanja>\p{Script=Han}+)`,
    String.raw`(?<letters>[\p{L}\p{M}]+)`,
    String.raw`(?<symbol>\p{Extended_Pictographic}(?:\uFE0F|[\u{1F3FB}-\u{1F3FF}])*|[^\s])`,
  ].join('|'),
  'gu',
);

/** Particles, longest first so that "에서는" wins over "는". */
const PARTICLES = [
  '에서는',
  '에게서',
  '으로는',
  '으로도',
  '이라도',
  '에서',
  '에게',
  '한테',
  '으로',
  '까지',
  '부터',
  '처럼',
  '보다',
  '이랑',
  '이나',
  '은',
  '는',
  '이',
  '가',
  '을',
  '를',
  '에',
  '의',
  '도',
  '로',
  '와',
  '과',
  '만',
  '랑',
];

/** Verb and adjective endings, longest first. */
const ENDINGS = [
  '었습니다',
  '았습니다',
  '습니다',
  '었어요',
  '았어요',
  '였어요',
  '입니다',
  '네요',
  '어요',
  '아요',
  '해요',
  '었다',
  '았다',
  '였다',
  '는데',
  '지만',
  '니다',
  '는다',
  '다',
  '요',
];

function feature(pos: string): string[] {
  return [pos, '*', '*', '*', '*', '*', '*', '*'];
}

function morpheme(surface: string, pos: string): Morpheme {
  return { surface, pos, features: feature(pos) };
}

/** Splits one Hangul run into a stem and at most one particle or ending. */
function splitHangul(word: string): Morpheme[] {
  for (const [suffixes, pos] of [
    [PARTICLES, 'J'],
    [ENDINGS, 'E'],
  ] as const) {
    for (const suffix of suffixes) {
      // A one-syllable suffix needs a stem of two syllables, so "바다" and "최고" stay whole.
      const minStem = suffix.length === 1 ? 2 : 1;
      if (word.length - suffix.length >= minStem && word.endsWith(suffix)) {
        return [morpheme(word.slice(0, -suffix.length), 'UNKNOWN'), morpheme(suffix, pos)];
      }
    }
  }
  return [morpheme(word, 'UNKNOWN')];
}

function symbolTag(symbol: string): string {
  if (/^[.!?]$/.test(symbol)) return 'SF';
  if (/^[,·/:]$/.test(symbol)) return 'SC';
  return 'SY';
}

/** Tokenizes Korean text without MeCab. Whitespace separates tokens and is never one itself. */
export function fallbackMorphemes(text: string): Morpheme[] {
  const result: Morpheme[] = [];
  for (const match of text.matchAll(SEGMENT)) {
    const groups = match.groups ?? {};
    if (groups.hangul) result.push(...splitHangul(groups.hangul));
    else if (groups.jamo) result.push(morpheme(groups.jamo, 'UNKNOWN'));
    else if (groups.number) result.push(morpheme(groups.number, 'SN'));
    else if (groups.latin) result.push(morpheme(groups.latin, 'SL'));
    else if (groups.hanja) result.push(morpheme(groups.hanja, 'SH'));
    else if (groups.letters) result.push(morpheme(groups.letters, 'UNKNOWN'));
    else if (groups.symbol) result.push(morpheme(groups.symbol, symbolTag(groups.symbol)));
  }
  return result;
}

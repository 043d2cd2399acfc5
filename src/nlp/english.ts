/**
 * @module English tokenizer: natural's RegexpTokenizer with a Unicode-aware pattern, lowercase,
 * contractions expanded, digits and ratings kept whole, negation marked and optional Porter
 * stemming.
 */
import { createRequire } from 'node:module';
import { normalize } from './normalize.ts';

interface RegexpTokenizerInstance {
  tokenize(text: string): string[] | null;
}
interface NaturalTokenizers {
  RegexpTokenizer: new (options: { pattern: RegExp; gaps: boolean }) => RegexpTokenizerInstance;
}
interface NaturalStemmer {
  stem(word: string): string;
}

// The package index loads every natural module (about 1 s); these two files load in ~20 ms.
const require = createRequire(import.meta.url);
const { RegexpTokenizer } =
  require('natural/lib/natural/tokenizers/regexp_tokenizer') as NaturalTokenizers;
const PorterStemmer = require('natural/lib/natural/stemmers/porter_stemmer') as NaturalStemmer;

export interface EnglishTokenizerOptions {
  /** Reduces each word to its Porter stem ("movies" -> "movi"). Default false. */
  stem?: boolean;
  /** Prefixes words after a negation with NOT_ up to the next punctuation. Default true. */
  negation?: boolean;
}

/** Prefix of a word inside the scope of a negation ("not good" -> not NOT_good). */
export const NEGATION_PREFIX = 'NOT_';

/**
 * Token pattern, in order: a number or rating ("9/10", "7.5", "1,000"), a word with inner
 * apostrophes ("don't", "amélie"), an emoji with its modifiers, or one punctuation mark.
 */
const TOKEN_PATTERN = new RegExp(
  [
    String.raw`\d+(?:[.,]\d+)*(?:\/\d+(?:\.\d+)?)?`,
    String.raw`[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:'[\p{L}\p{M}\p{N}]+)*`,
    String.raw`\p{Extended_Pictographic}(?:\uFE0F|[\u{1F3FB}-\u{1F3FF}])*`,
    String.raw`[.,;:!?]`,
  ].join('|'),
  'gu',
);
const tokenizer = new RegexpTokenizer({ pattern: TOKEN_PATTERN, gaps: false });

const APOSTROPHES = /[\u2018\u2019\u02BC\u0060\u00B4]/g;
/** Marks that end a negation scope; only "!" and "?" are kept as tokens. */
const SCOPE_END = new Set(['.', ',', ';', ':', '!', '?']);
const KEPT_PUNCTUATION = new Set(['!', '?']);
const NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nobody',
  'nothing',
  'neither',
  'nor',
  'nowhere',
]);
/** Words that also end a negation scope: "not great but fun" leaves "fun" unmarked. */
const CONTRAST = new Set(['but', 'however', 'although', 'though', 'yet']);

/**
 * Whole-word contractions, with and without the apostrophe that reviews often drop. A Map, not an
 * object literal, so that words such as "constructor" never reach Object.prototype.
 */
const IRREGULAR = new Map<string, string[]>(
  Object.entries({
    "won't": ['will', 'not'],
    wont: ['will', 'not'],
    "can't": ['can', 'not'],
    cant: ['can', 'not'],
    cannot: ['can', 'not'],
    "shan't": ['shall', 'not'],
    "ain't": ['is', 'not'],
    aint: ['is', 'not'],
    dont: ['do', 'not'],
    doesnt: ['does', 'not'],
    didnt: ['did', 'not'],
    isnt: ['is', 'not'],
    wasnt: ['was', 'not'],
    arent: ['are', 'not'],
    werent: ['were', 'not'],
    havent: ['have', 'not'],
    hasnt: ['has', 'not'],
    hadnt: ['had', 'not'],
    couldnt: ['could', 'not'],
    wouldnt: ['would', 'not'],
    shouldnt: ['should', 'not'],
    "let's": ['let', 'us'],
  }),
);
const SUFFIXES: [string, string][] = [
  ["n't", 'not'],
  ["'re", 'are'],
  ["'ve", 'have'],
  ["'ll", 'will'],
  ["'d", 'would'],
  ["'m", 'am'],
];
/** Words whose "'s" means "is"; on any other word it is a possessive and is dropped. */
const IS_CONTRACTIONS = new Set(['it', 'that', 'there', 'what', 'he', 'she', 'here', 'who']);

/** Splits a lowercase word with an apostrophe into its parts ("didn't" -> did, not). */
function expandContraction(word: string): string[] {
  const irregular = IRREGULAR.get(word);
  if (irregular) return irregular;
  if (!word.includes("'")) return [word];
  for (const [suffix, expansion] of SUFFIXES) {
    if (word.endsWith(suffix) && word.length > suffix.length) {
      return [word.slice(0, -suffix.length), expansion];
    }
  }
  if (word.endsWith("'s") && word.length > 2) {
    const base = word.slice(0, -2);
    return IS_CONTRACTIONS.has(base) ? [base, 'is'] : [base];
  }
  return [word.replace(/'/g, '')];
}

const isWord = (token: string) => /^[\p{L}\p{M}]/u.test(token);

/**
 * Tokenizes English text: `normalize`, lowercase, contractions expanded, words kept whole across
 * accents ("amélie", "naïve"), numbers and ratings ("9/10") kept, "!" and "?" kept, other
 * punctuation dropped. With `negation` (default on) every token after not/no/never/n't... up to
 * the next punctuation mark or "but" gets the NOT_ prefix. With `stem` (default off) words are
 * reduced to their Porter stems.
 */
export function tokenizeEnglish(text: string, options: EnglishTokenizerOptions = {}): string[] {
  const negation = options.negation ?? true;
  const stem = options.stem ?? false;
  const prepared = normalize(text).toLowerCase().replace(APOSTROPHES, "'");
  const tokens: string[] = [];
  let negated = false;
  for (const raw of tokenizer.tokenize(prepared) ?? []) {
    if (SCOPE_END.has(raw)) {
      negated = false;
      if (KEPT_PUNCTUATION.has(raw)) tokens.push(raw);
      continue;
    }
    for (const part of expandContraction(raw)) {
      if (NEGATIONS.has(part)) {
        tokens.push(part);
        negated = negation;
        continue;
      }
      if (CONTRAST.has(part)) negated = false;
      const base = stem && isWord(part) ? PorterStemmer.stem(part) : part;
      tokens.push(negated ? `${NEGATION_PREFIX}${base}` : base);
    }
  }
  return tokens;
}

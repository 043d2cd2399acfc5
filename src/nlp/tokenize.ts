/**
 * @module `tokenize`: normalization, length cap, language detection and the tokenizer of the
 * detected language, in one call. `tokenizeMany` does the same for many texts and sends the Korean
 * ones to MeCab in one bulk request.
 */
import { getConfig } from '../core/config.ts';
import type { Language } from '../core/contracts.ts';
import { NunchiError, isNunchiError } from '../core/errors.ts';
import { tokenizeEnglish } from './english.ts';
import { getKoreanAnalyzer } from './korean/analyzer.ts';
import { koreanTokens } from './korean/morpheme.ts';
import { detectLanguage, type LanguageGuess } from './language.ts';
import { capText, normalize } from './normalize.ts';

export interface TokenizeOptions {
  /** Forces the tokenizer; by default the detected language chooses. */
  lang?: 'ko' | 'en';
  /** Korean tokens as "surface/POS" (e.g. "영화/NNG"). Default false. */
  withPos?: boolean;
}

export interface TokenizeResult {
  /** Detected language of the normalized text, even when `lang` forced the tokenizer. */
  language: Language;
  tokens: string[];
  /** True when the text was longer than MAX_TEXT_CHARS and was cut before analysis. */
  truncated: boolean;
  /** The normalized, capped text the tokens came from. */
  normalized: string;
  /** Tokenizer that produced `tokens`. */
  tokenizer: 'ko' | 'en';
}

/**
 * Raw text longer than this many times MAX_TEXT_CHARS is cut before normalization, so a huge
 * input costs bounded work. Normalization rarely shrinks text by more than that (long runs and
 * markup); when it is cut, the result is reported as truncated.
 */
const RAW_CAP_FACTOR = 4;

interface PreparedText {
  normalized: string;
  truncated: boolean;
  guess: LanguageGuess;
  tokenizer: 'ko' | 'en';
}

/**
 * Picks the tokenizer: the dominant script of mixed text, English for text without Hangul or Latin
 * letters (emoji, digits), whose tokenizer keeps emoji and numbers.
 */
function chooseTokenizer(guess: LanguageGuess): 'ko' | 'en' {
  if (guess.language === 'ko') return 'ko';
  if (guess.language === 'mixed') return guess.hangulShare >= guess.latinShare ? 'ko' : 'en';
  if (guess.language === 'unknown' && guess.hangulShare > 0) return 'ko';
  return 'en';
}

function prepare(text: unknown, options: TokenizeOptions): PreparedText {
  if (typeof text !== 'string') {
    throw new NunchiError('TEXT_INVALID', `Expected the text as a string, got ${typeof text}`, {
      type: typeof text,
    });
  }
  const maxChars = getConfig().MAX_TEXT_CHARS;
  const rawCut = text.length > maxChars * RAW_CAP_FACTOR;
  const raw = rawCut ? text.slice(0, maxChars * RAW_CAP_FACTOR) : text;
  const capped = capText(normalize(raw), maxChars);
  if (capped.text === '') {
    throw new NunchiError(
      'TEXT_EMPTY',
      'The text is empty after normalization (only spaces, control or zero-width characters); ' +
        'send some words',
      { length: text.length },
    );
  }
  const guess = detectLanguage(capped.text);
  return {
    normalized: capped.text,
    truncated: capped.truncated || rawCut,
    guess,
    tokenizer: options.lang ?? chooseTokenizer(guess),
  };
}

function result(prepared: PreparedText, tokens: string[]): TokenizeResult {
  return {
    language: prepared.guess.language,
    tokens,
    truncated: prepared.truncated,
    normalized: prepared.normalized,
    tokenizer: prepared.tokenizer,
  };
}

/**
 * Normalizes `text`, cuts it to MAX_TEXT_CHARS, detects its language and tokenizes it with MeCab
 * (Korean) or the English tokenizer.
 *
 * @throws NunchiError TEXT_INVALID for a non-string, TEXT_EMPTY when nothing is left after
 *   normalization, ANALYZER_FAILED when MeCab died twice on the text.
 */
export async function tokenize(
  text: string,
  options: TokenizeOptions = {},
): Promise<TokenizeResult> {
  const prepared = prepare(text, options);
  if (prepared.tokenizer === 'en') return result(prepared, tokenizeEnglish(prepared.normalized));
  const analyzer = await getKoreanAnalyzer();
  const morphemes = await analyzer.analyze(prepared.normalized);
  return result(prepared, koreanTokens(morphemes, options));
}

/** One entry of `tokenizeMany`: the result, or the typed error for that text. */
export type TokenizeOutcome = TokenizeResult | { error: NunchiError };

/**
 * Tokenizes many texts like `tokenize` and returns one outcome per text, in order. A bad text
 * gives its error in place and does not stop the others; Korean texts go to MeCab in one bulk
 * request.
 */
export async function tokenizeMany(
  texts: readonly string[],
  options: TokenizeOptions = {},
): Promise<TokenizeOutcome[]> {
  const outcomes: TokenizeOutcome[] = new Array(texts.length);
  const korean: { index: number; prepared: PreparedText }[] = [];
  texts.forEach((text, index) => {
    try {
      const prepared = prepare(text, options);
      if (prepared.tokenizer === 'ko') korean.push({ index, prepared });
      else outcomes[index] = result(prepared, tokenizeEnglish(prepared.normalized));
    } catch (error) {
      if (!isNunchiError(error)) throw error;
      outcomes[index] = { error };
    }
  });
  if (korean.length > 0) {
    const analyzer = await getKoreanAnalyzer();
    const analyses = await analyzer.analyzeMany(korean.map((entry) => entry.prepared.normalized));
    korean.forEach(({ index, prepared }, position) => {
      outcomes[index] = result(prepared, koreanTokens(analyses[position], options));
    });
  }
  return outcomes;
}

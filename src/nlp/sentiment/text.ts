/**
 * @module Turns raw texts into the token lists a sentiment model was trained on. Training and
 * serving both call `tokenizeForModel` with the settings stored in the model's metadata, so the
 * two cannot drift apart.
 */
import {
  getKoreanAnalyzer,
  koreanTokens,
  normalize,
  PREPROCESSING_VERSION,
  tokenizeEnglish,
} from '../index.ts';
import { capText } from '../normalize.ts';

/** Token settings saved in a sentiment model's metadata. */
export interface TokenSettings {
  language: 'ko' | 'en';
  /** Korean: morpheme tokens as "surface/POS" instead of the bare surface. */
  withPos?: boolean;
  /** English: Porter stemming. */
  stem?: boolean;
  /** English: NOT_ prefix on words after a negation up to the next punctuation. */
  negation?: boolean;
  /** Texts are cut to this many UTF-16 code units before analysis. */
  maxChars: number;
}

export interface ModelTokens {
  tokens: string[][];
  /** True where the text was cut to `maxChars`. */
  truncated: boolean[];
  /** Korean analyzer that produced the tokens ('mecab' or 'fallback'); undefined for English. */
  analyzer?: string;
}

/** Version of this module's token rules combined with the text pipeline's version. */
export const SENTIMENT_PREPROCESSING_VERSION = `${PREPROCESSING_VERSION}+sentiment-1`;

/**
 * NOTE: tokenizeEnglish looks words up in a plain object, so the word "constructor" reaches
 * Object.prototype and throws. The word is swapped for a placeholder before tokenizing and
 * restored after, which gives the tokens of a lookup without that flaw.
 */
const SHIELDED_WORD = /\bconstructor\b/giu;
const PLACEHOLDER = 'constructorplaceholder';

function englishTokens(text: string, settings: TokenSettings): string[] {
  const shielded = text.replace(SHIELDED_WORD, PLACEHOLDER);
  const tokens = tokenizeEnglish(shielded, { stem: settings.stem, negation: settings.negation });
  if (shielded === text) return tokens;
  return tokens.map((token) => token.replace(PLACEHOLDER, 'constructor'));
}

/** Normalizes, caps and tokenizes `texts` as the model with `settings` expects. */
export async function tokenizeForModel(
  texts: readonly string[],
  settings: TokenSettings,
): Promise<ModelTokens> {
  const capped = texts.map((text) => capText(normalize(text), settings.maxChars));
  const truncated = capped.map((entry) => entry.truncated);
  if (settings.language === 'en') {
    const tokens = capped.map((entry) => englishTokens(entry.text, settings));
    return { tokens, truncated };
  }
  const analyzer = await getKoreanAnalyzer();
  const morphemes = await analyzer.analyzeMany(capped.map((entry) => entry.text));
  const tokens = morphemes.map((list) => koreanTokens(list, { withPos: settings.withPos }));
  return { tokens, truncated, analyzer: analyzer.engine };
}

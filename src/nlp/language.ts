/**
 * @module Language detection by share of script, used to route each text to the Korean or the
 * English model.
 */
import type { Language } from '../core/contracts.ts';

export interface LanguageGuess {
  language: Language;
  /** Hangul as a share of all letters, from 0 to 1, a syllable counting as SYLLABLE_WEIGHT. */
  hangulShare: number;
  /** Latin letters as a share of all letters, from 0 to 1. */
  latinShare: number;
}

/** A script with at least this share of the letters decides the language on its own. */
export const DOMINANT_SHARE = 0.7;

/**
 * Letters counted per Hangul syllable block, which spells two or three jamo. Without the weight,
 * one English word in a Korean sentence ("CG가 좋다") tips it to mixed.
 */
export const SYLLABLE_WEIGHT = 2;

const HANGUL_SYLLABLE = /[\uAC00-\uD7A3]/u;
const HANGUL_JAMO = /[\u1100-\u11FF\u3130-\u318F\uA960-\uA97F\uD7B0-\uD7FF]/u;
const LATIN = /\p{Script=Latin}/u;
const LETTER = /\p{L}/u;

/**
 * Detects the language of `text` from the letters it contains; digits, emoji and punctuation do
 * not count, and a Hangul syllable counts as two letters. Returns ko or en when Hangul or Latin
 * letters make up at least 70 % of the letters, mixed when both scripts appear but neither
 * dominates, and unknown when there are no letters or other scripts dominate.
 */
export function detectLanguage(text: string): LanguageGuess {
  let letters = 0;
  let hangul = 0;
  let latin = 0;
  for (const char of text.normalize('NFC')) {
    if (HANGUL_SYLLABLE.test(char)) {
      hangul += SYLLABLE_WEIGHT;
      letters += SYLLABLE_WEIGHT;
    } else if (HANGUL_JAMO.test(char)) {
      hangul += 1;
      letters += 1;
    } else if (LETTER.test(char)) {
      letters += 1;
      if (LATIN.test(char)) latin += 1;
    }
  }
  if (letters === 0) return { language: 'unknown', hangulShare: 0, latinShare: 0 };
  const hangulShare = hangul / letters;
  const latinShare = latin / letters;
  let language: Language = 'unknown';
  if (hangulShare >= DOMINANT_SHARE) language = 'ko';
  else if (latinShare >= DOMINANT_SHARE) language = 'en';
  else if (hangul > 0 && latin > 0 && hangulShare + latinShare >= 0.5) language = 'mixed';
  return { language, hangulShare, latinShare };
}

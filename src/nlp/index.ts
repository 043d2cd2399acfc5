/**
 * @module The text pipeline: normalization, language detection, Korean morphology (MeCab-ko or a
 * pure-JS fallback), English tokenization and the vocabulary.
 */
export type { Language } from '../core/contracts.ts';
export { tokenizeEnglish, NEGATION_PREFIX, type EnglishTokenizerOptions } from './english.ts';
export {
  closeKoreanAnalyzer,
  createKoreanAnalyzer,
  getKoreanAnalyzer,
  type KoreanAnalyzer,
  type KoreanAnalyzerOptions,
} from './korean/analyzer.ts';
export { fallbackMorphemes } from './korean/fallback.ts';
export * as mecabYa from './korean/mecab-ya.ts';
export { koreanTokens, type Morpheme } from './korean/morpheme.ts';
export { detectLanguage, type LanguageGuess } from './language.ts';
export { capText, normalize, PREPROCESSING_VERSION, toMecabLine } from './normalize.ts';
export {
  tokenize,
  tokenizeMany,
  type TokenizeOptions,
  type TokenizeOutcome,
  type TokenizeResult,
} from './tokenize.ts';
export {
  PAD_TOKEN,
  UNK_TOKEN,
  Vocabulary,
  type VocabularyBuildOptions,
  type VocabularyJson,
} from './vocabulary.ts';

/**
 * @module Sentiment serving API used by the CLI, the HTTP model host and the bot: load a model
 * version, then classify one text or a batch. Each text goes to the model of its language; mixed
 * text goes to the model of its dominant script, and the result names the model that classified it.
 */
import type { Language, SentimentResult } from '../../core/contracts.ts';
import { NunchiError } from '../../core/errors.ts';
import { getConfig } from '../../core/config.ts';
import { capText, detectLanguage, normalize } from '../index.ts';
import { SentimentModel } from './model.ts';
import { tokenizeForModel } from './text.ts';

export { loadSentimentModel, SentimentModel, type SentimentSettings } from './model.ts';
export { tokenizeForModel, type TokenSettings } from './text.ts';

/** The serving models by language; either may be missing. */
export interface SentimentModels {
  ko?: SentimentModel;
  en?: SentimentModel;
}

export interface ClassifyOptions {
  /** Forces the model; by default the detected language chooses it. */
  lang?: 'ko' | 'en';
}

/** Picks the model language for a detected language: mixed and unknown text by script share. */
export function chooseModelLanguage(
  detected: { language: Language; hangulShare: number; latinShare: number },
  models: SentimentModels,
): 'ko' | 'en' {
  if (detected.language === 'ko' || detected.language === 'en') return detected.language;
  if (detected.hangulShare > detected.latinShare) return 'ko';
  if (detected.latinShare > detected.hangulShare) return 'en';
  return models.ko ? 'ko' : 'en';
}

function requireModel(models: SentimentModels, lang: 'ko' | 'en'): SentimentModel {
  const model = models[lang];
  if (!model) {
    const name = lang === 'ko' ? 'sentiment-ko' : 'sentiment-en';
    throw new NunchiError(
      'MODEL_NOT_FOUND',
      `No ${name} model is loaded for ${lang === 'ko' ? 'Korean' : 'English'} text; train one ` +
        `with \`npm run cli -- train ${name}\` or pass lang to use the other model`,
      { lang },
    );
  }
  return model;
}

/**
 * Classifies many texts; each goes to the model of its language (or `options.lang`), and texts
 * of one model are predicted in one batch. Results keep the input order.
 *
 * @throws NunchiError TEXT_EMPTY for a text with nothing left after normalization, and
 *   MODEL_NOT_FOUND when the needed model is missing.
 */
/**
 * Rejects a requested language whose script the text does not contain at all (Korean text with
 * lang "en"), since the other model would see only unknown tokens and return a coin flip.
 */
function assertScriptMatches(
  lang: 'ko' | 'en',
  detected: ReturnType<typeof detectLanguage>,
  index: number,
): void {
  const share = lang === 'ko' ? detected.hangulShare : detected.latinShare;
  const other = lang === 'ko' ? detected.latinShare : detected.hangulShare;
  if (share > 0 || other === 0) return;
  const subject = index < 0 ? 'The text' : `Text ${index + 1}`;
  const script = lang === 'ko' ? 'Hangul' : 'Latin letters';
  throw new NunchiError(
    'TEXT_INVALID',
    `${subject} contains no ${script}, so the lang "${lang}" model cannot read it; omit lang to detect the language`,
    { lang, language: detected.language },
  );
}

export async function classifySentimentBatch(
  texts: readonly string[],
  models: SentimentModels,
  options: ClassifyOptions = {},
): Promise<SentimentResult[]> {
  const maxChars = getConfig().MAX_TEXT_CHARS;
  const routed = texts.map((original, index) => {
    // Normalization drops invisible characters such as U+200B, so check what is left after it.
    const normalized = normalize(original);
    if (normalized.trim() === '') {
      const subject = texts.length === 1 ? 'The text' : `Text ${index + 1}`;
      throw new NunchiError('TEXT_EMPTY', `${subject} is empty; send some words to classify`, {
        index,
      });
    }
    // Served text is capped at MAX_TEXT_CHARS; a model may cap it further at its own maximum.
    const { text, truncated } = capText(normalized, maxChars);
    const detected = detectLanguage(text);
    if (options.lang) assertScriptMatches(options.lang, detected, texts.length === 1 ? -1 : index);
    const lang = options.lang ?? chooseModelLanguage(detected, models);
    return { text, index, language: detected.language, lang, truncated };
  });
  const results: SentimentResult[] = new Array(texts.length);
  for (const lang of ['ko', 'en'] as const) {
    const group = routed.filter((entry) => entry.lang === lang);
    if (group.length === 0) continue;
    const model = requireModel(models, lang);
    const { tokens, truncated } = await tokenizeForModel(
      group.map((entry) => entry.text),
      model.settings.tokens,
    );
    const predictions = model.predictTokens(tokens);
    group.forEach((entry, k) => {
      const probabilityPositive = predictions[k].probabilityPositive;
      const positive = probabilityPositive >= 0.5;
      results[entry.index] = {
        label: positive ? 'positive' : 'negative',
        confidence: positive ? probabilityPositive : 1 - probabilityPositive,
        probabilityPositive,
        language: entry.language,
        model: model.name,
        modelVersion: model.version,
        tokens: tokens[k],
        topWords: predictions[k].topWords,
        truncated: entry.truncated || truncated[k],
      };
    });
  }
  return results;
}

/**
 * Classifies one text with the model of its language (mixed text: its dominant script).
 *
 * @throws NunchiError TEXT_EMPTY or MODEL_NOT_FOUND, as classifySentimentBatch.
 */
export async function classifySentiment(
  text: string,
  models: SentimentModels,
  options: ClassifyOptions = {},
): Promise<SentimentResult> {
  const [result] = await classifySentimentBatch([text], models, options);
  return result;
}

/**
 * @module Discord embeds for answers: sentiment, digits, models and help. Every embed stays inside
 * Discord's limits (title 256, field value 1024, 25 fields, 6000 characters in all) whatever the
 * input length, because no embed quotes the user's text.
 */
import { AttachmentBuilder, EmbedBuilder } from 'discord.js';
import type { DigitAnswer, ModelSummary, SentimentResult, WordWeight } from '../core/contracts.ts';
import { type BotLocale, labelText, languageText, translate } from './i18n.ts';

/** Number of cells in the confidence bar. */
export const BAR_CELLS = 10;
/** Words listed under "words that weighed most". */
export const TOP_WORDS_SHOWN = 5;
/** Maximum length of a token shown, in characters; longer ones are cut with an ellipsis. */
const MAX_TOKEN_CHARS = 32;
/** Digits listed with their top three; a longer number lists only its first ones. */
const MAX_DIGIT_FIELDS = 10;
/** File name of the 28x28 model input image attached to digit answers. */
export const DIGIT_IMAGE_NAME = 'model-input.png';

const COLOR = { positive: 0x2e7d32, negative: 0xc62828, digit: 0x1565c0, info: 0x546e7a };

/** Renders `value` (0 to 1) as a bar of BAR_CELLS cells and a percentage, e.g. `███████░░░ 72%`. */
export function confidenceBar(value: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
  const filled = Math.round(clamped * BAR_CELLS);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)} ${Math.round(clamped * 100)}%`;
}

/** Makes a token safe inside inline code: no backticks, no line breaks, bounded length. */
function codeSpan(token: string): string {
  const clean = token.replace(/[`\r\n]/g, ' ').trim() || '?';
  const cut = clean.length > MAX_TOKEN_CHARS ? `${clean.slice(0, MAX_TOKEN_CHARS - 1)}…` : clean;
  return `\`${cut}\``;
}

/** Lists the strongest words with an arrow for the direction each one pushed. */
export function formatTopWords(words: WordWeight[], locale: BotLocale): string {
  const shown = words.slice(0, TOP_WORDS_SHOWN);
  if (shown.length === 0) return translate(locale, 'noTopWords');
  return shown
    .map((word) => {
      const arrow = word.weight >= 0 ? '▲' : '▼';
      const sign = word.weight >= 0 ? '+' : '−';
      return `${arrow} ${codeSpan(word.token)} ${sign}${Math.abs(word.weight).toFixed(2)}`;
    })
    .join('\n');
}

export function sentimentEmbed(result: SentimentResult, locale: BotLocale): EmbedBuilder {
  const label = labelText(locale, result.label);
  const embed = new EmbedBuilder()
    .setColor(COLOR[result.label])
    .setTitle(translate(locale, 'sentimentTitle', { label }))
    .addFields(
      { name: translate(locale, 'confidence'), value: confidenceBar(result.confidence) },
      {
        name: translate(locale, 'language'),
        value: languageText(locale, result.language),
        inline: true,
      },
      {
        name: translate(locale, 'model'),
        value: `${result.model} ${result.modelVersion}`.slice(0, 1024),
        inline: true,
      },
      { name: translate(locale, 'topWords'), value: formatTopWords(result.topWords, locale) },
    );
  if (result.truncated) embed.setDescription(translate(locale, 'truncated'));
  return embed;
}

function digitTitle(answer: DigitAnswer, locale: BotLocale): string {
  const text = answer.text.slice(0, 200);
  if (answer.kind === 'unsure') return translate(locale, 'unsureTitle', { text });
  if (answer.kind === 'number') return translate(locale, 'numberTitle', { text });
  return translate(locale, 'digitTitle', { text });
}

/** Formats the candidates of one digit as `7 98% · 1 1% · 9 0%`. */
export function formatCandidates(candidates: { digit: number; probability: number }[]): string {
  return candidates
    .slice(0, 3)
    .map((candidate) => `**${candidate.digit}** ${Math.round(candidate.probability * 100)}%`)
    .join(' · ');
}

/**
 * Builds the digit answer: the reading as title, the top three per digit, and, when the
 * classifier returned one, the enlarged 28x28 model input as an attached image.
 */
export function digitAnswerMessage(
  answer: DigitAnswer,
  locale: BotLocale,
): { embed: EmbedBuilder; files: AttachmentBuilder[] } {
  const embed = new EmbedBuilder()
    .setColor(COLOR.digit)
    .setTitle(digitTitle(answer, locale))
    .setFooter({ text: `${answer.model} ${answer.modelVersion}`.slice(0, 2048) });
  const digits = answer.digits.slice(0, MAX_DIGIT_FIELDS);
  if (digits.length === 1) {
    embed.addFields({
      name: translate(locale, 'candidates'),
      value: formatCandidates(digits[0].top),
    });
  } else {
    for (const [index, reading] of digits.entries()) {
      embed.addFields({
        name: translate(locale, 'digitPosition', { index: index + 1 }),
        value: formatCandidates(reading.top),
        inline: true,
      });
    }
  }
  const files: AttachmentBuilder[] = [];
  if (answer.debugImage && answer.debugImage.length > 0) {
    files.push(
      new AttachmentBuilder(Buffer.from(answer.debugImage), {
        name: DIGIT_IMAGE_NAME,
        description: translate(locale, 'digitInput'),
      }),
    );
    embed.setImage(`attachment://${DIGIT_IMAGE_NAME}`);
  }
  return { embed, files };
}

export function modelsEmbed(
  models: ModelSummary[],
  backend: string | undefined,
  locale: BotLocale,
): EmbedBuilder {
  const lines = models.map((model) => {
    const parts = [`**${model.name}** ${model.version}`];
    if (model.accuracy !== undefined) {
      parts.push(translate(locale, 'accuracy', { value: `${(model.accuracy * 100).toFixed(1)}%` }));
    }
    if (model.createdAt) {
      parts.push(translate(locale, 'trainedAt', { date: model.createdAt.slice(0, 10) }));
    }
    return parts.join(' · ');
  });
  const embed = new EmbedBuilder()
    .setColor(COLOR.info)
    .setTitle(translate(locale, 'modelsTitle'))
    .setDescription(
      lines.length > 0 ? lines.join('\n').slice(0, 4096) : translate(locale, 'modelsEmpty'),
    );
  if (backend)
    embed.addFields({ name: translate(locale, 'backend'), value: backend.slice(0, 1024) });
  return embed;
}

export function helpEmbed(locale: BotLocale): EmbedBuilder {
  return new EmbedBuilder()
    .setColor(COLOR.info)
    .setTitle(translate(locale, 'helpTitle'))
    .setDescription(translate(locale, 'helpCommands'))
    .addFields(
      { name: translate(locale, 'helpStoredTitle'), value: translate(locale, 'helpStored') },
      { name: translate(locale, 'helpOptOutTitle'), value: translate(locale, 'helpOptOut') },
    );
}

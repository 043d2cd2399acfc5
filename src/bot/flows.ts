/**
 * @module The two classification flows shared by slash commands and chat messages: text to a
 * sentiment answer with feedback buttons, and an image attachment to a digit answer with the
 * model's 28x28 input attached. Errors become a localised one-line answer.
 */
import { isNunchiError } from '../core/errors.ts';
import { type AttachmentInfo, checkImageAttachment, downloadAttachment } from './attachments.ts';
import type { BotContext } from './context.ts';
import { digitAnswerMessage, sentimentEmbed } from './embeds.ts';
import { feedbackAllowed, feedbackRow } from './feedback.ts';
import { type BotLocale, errorText } from './i18n.ts';
import type { AnswerPayload } from './respond.ts';
import { NunchiError } from '../core/errors.ts';

export interface SentimentRequest {
  text: string;
  lang?: 'ko' | 'en';
  locale: BotLocale;
  userId: string;
  guildId: string | undefined;
}

/** Returns the answer for an error: its localised message, logged with its code. */
export function errorAnswer(ctx: BotContext, locale: BotLocale, error: unknown): AnswerPayload {
  if (isNunchiError(error)) {
    ctx.log.info({ code: error.code, details: error.details }, 'request rejected');
  } else {
    ctx.log.error({ err: (error as Error)?.message ?? String(error) }, 'request failed');
  }
  return { content: errorText(locale, error) };
}

/**
 * Classifies `request.text` and builds the sentiment answer. An empty or blank text is rejected
 * with TEXT_EMPTY before the classifier is called.
 */
export async function answerSentiment(
  ctx: BotContext,
  request: SentimentRequest,
): Promise<AnswerPayload> {
  const text = request.text.trim();
  try {
    if (text.length === 0) throw new NunchiError('TEXT_EMPTY', 'The review text is empty', {});
    const result = await ctx.classifier.classifySentiment(
      text,
      request.lang ? { lang: request.lang } : {},
    );
    const payload: AnswerPayload = { embeds: [sentimentEmbed(result, request.locale)] };
    if (feedbackAllowed(ctx, request.userId, request.guildId)) {
      const answerId = ctx.answers.add({
        text,
        result,
        userId: request.userId,
        guildId: request.guildId,
      });
      payload.components = [feedbackRow(answerId, request.locale)];
    }
    return payload;
  } catch (error) {
    return errorAnswer(ctx, request.locale, error);
  }
}

/** Checks, downloads and reads an image attachment, and builds the digit answer. */
export async function answerDigits(
  ctx: BotContext,
  attachment: AttachmentInfo,
  locale: BotLocale,
): Promise<AnswerPayload> {
  try {
    checkImageAttachment(attachment, ctx.limits.maxImageBytes);
    const bytes = await downloadAttachment(attachment.url, {
      maxBytes: ctx.limits.maxImageBytes,
      timeoutMs: ctx.limits.downloadTimeoutMs,
    });
    const answer = await ctx.classifier.readDigits(bytes, { debugImage: true });
    const { embed, files } = digitAnswerMessage(answer, locale);
    return { embeds: [embed], files };
  } catch (error) {
    return errorAnswer(ctx, locale, error);
  }
}

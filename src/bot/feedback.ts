/**
 * @module 👍/👎 feedback under sentiment answers. 👍 stores the predicted label as correct; 👎 asks
 * for the right label with two buttons and stores the choice. Only the user who asked can rate an
 * answer, once, and nothing is stored when the user or the server opted out.
 */
import { ActionRowBuilder, ButtonBuilder, type ButtonInteraction, ButtonStyle } from 'discord.js';
import type { SentimentLabel } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import type { StoredAnswer } from './answers.ts';
import type { BotContext } from './context.ts';
import {
  type BotLocale,
  errorText,
  labelText,
  type MessageKey,
  pickLocale,
  translate,
} from './i18n.ts';
import { replyNow } from './respond.ts';
import { logRestError } from './rest-errors.ts';

const PREFIX = 'fb';
const LABELS: readonly SentimentLabel[] = ['positive', 'negative'];

export type FeedbackAction =
  | { kind: 'up'; answerId: string }
  | { kind: 'down'; answerId: string }
  | { kind: 'label'; answerId: string; label: SentimentLabel };

/** Parses a feedback button custom id (`fb:up:<id>`, `fb:down:<id>`, `fb:label:<id>:<label>`). */
export function parseFeedbackId(customId: string): FeedbackAction | undefined {
  const [prefix, kind, answerId, label] = customId.split(':');
  if (prefix !== PREFIX || !answerId || !/^[0-9a-f]{1,32}$/.test(answerId)) return undefined;
  if (kind === 'up' || kind === 'down') return { kind, answerId };
  if (kind === 'label' && LABELS.includes(label as SentimentLabel)) {
    return { kind, answerId, label: label as SentimentLabel };
  }
  return undefined;
}

/** The 👍/👎 row shown under a sentiment answer. */
export function feedbackRow(answerId: string, locale: BotLocale): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(`${PREFIX}:up:${answerId}`)
      .setEmoji('👍')
      .setLabel(translate(locale, 'feedbackUp'))
      .setStyle(ButtonStyle.Secondary),
    new ButtonBuilder()
      .setCustomId(`${PREFIX}:down:${answerId}`)
      .setEmoji('👎')
      .setLabel(translate(locale, 'feedbackDown'))
      .setStyle(ButtonStyle.Secondary),
  );
}

function labelRow(answerId: string, locale: BotLocale): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    LABELS.map((label) =>
      new ButtonBuilder()
        .setCustomId(`${PREFIX}:label:${answerId}:${label}`)
        .setLabel(labelText(locale, label))
        .setStyle(label === 'positive' ? ButtonStyle.Success : ButtonStyle.Danger),
    ),
  );
}

/** True when feedback from this user in this server may be stored. */
export function feedbackAllowed(ctx: BotContext, userId: string, guildId: string | undefined) {
  try {
    if (ctx.store.isOptedOut('user', userId)) return false;
    return !(guildId && ctx.store.isOptedOut('guild', guildId));
  } catch (error) {
    ctx.log.error({ err: (error as Error).message }, 'reading the opt-out state failed');
    return false;
  }
}

function storeLabel(ctx: BotContext, answer: StoredAnswer, label: SentimentLabel): void {
  try {
    ctx.store.recordFeedback({
      text: answer.text,
      predictedLabel: answer.result.label,
      correctLabel: label,
      modelName: answer.result.model,
      modelVersion: answer.result.modelVersion,
      source: 'discord',
      userId: answer.userId,
      guildId: answer.guildId,
    });
  } catch (error) {
    throw new NunchiError(
      'STORAGE_FAILED',
      `Storing feedback failed: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
  answer.rated = true;
  ctx.log.info(
    { model: answer.result.model, version: answer.result.modelVersion, label },
    'feedback stored',
  );
}

/** Returns why this press cannot store a label, or undefined when it can. */
function refusalFor(
  ctx: BotContext,
  answer: StoredAnswer | undefined,
  interaction: ButtonInteraction,
): MessageKey | undefined {
  if (!answer) return 'feedbackExpired';
  if (answer.userId !== interaction.user.id) return 'feedbackOnlyAuthor';
  if (answer.rated) return 'feedbackAlready';
  if (!feedbackAllowed(ctx, interaction.user.id, interaction.guildId ?? undefined)) {
    return 'feedbackOptedOut';
  }
  return undefined;
}

/** Handles a press on a feedback button; returns false when the button is not a feedback one. */
export async function handleFeedbackButton(
  ctx: BotContext,
  interaction: ButtonInteraction,
): Promise<boolean> {
  const action = parseFeedbackId(interaction.customId);
  if (!action) return false;
  const locale = pickLocale(interaction.locale);
  const answer = ctx.answers.get(action.answerId);
  const refusal = refusalFor(ctx, answer, interaction);
  if (!answer || refusal) {
    const content = translate(locale, refusal ?? 'feedbackExpired');
    await replyNow(ctx, interaction, { content }, { ephemeral: true });
    return true;
  }

  if (action.kind === 'down') {
    await replyNow(
      ctx,
      interaction,
      {
        content: translate(locale, 'feedbackAsk'),
        components: [labelRow(action.answerId, locale)],
      },
      { ephemeral: true },
    );
    return true;
  }

  const label = action.kind === 'up' ? answer.result.label : action.label;
  let content: string;
  try {
    storeLabel(ctx, answer, label);
    content = translate(locale, 'feedbackThanks', { label: labelText(locale, label) });
  } catch (error) {
    ctx.log.error({ err: (error as Error).message }, 'feedback not stored');
    content = errorText(locale, error);
  }

  if (action.kind === 'label') {
    // The label buttons sit on the ephemeral question; replace it with the confirmation.
    try {
      await interaction.update({ content, components: [] });
    } catch (error) {
      logRestError(ctx.log, error, 'update feedback question');
    }
    return true;
  }
  await replyNow(ctx, interaction, { content }, { ephemeral: true });
  return true;
}

/**
 * @module Delivery of answers to interactions. An interaction is deferred before any slow step
 * and its reply is edited afterwards, unless the interaction is older than the edit window or its
 * token stopped working; then the answer goes to the channel as a normal message.
 */
import {
  type ActionRowBuilder,
  type AttachmentBuilder,
  type ButtonBuilder,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type EmbedBuilder,
  MessageFlags,
} from 'discord.js';
import type { BotContext } from './context.ts';
import { type BotLocale, translate } from './i18n.ts';
import { isInteractionGone, logRestError } from './rest-errors.ts';

/** Discord lets an interaction token edit its response for 15 minutes; the bot stops at 14. */
export const EDIT_WINDOW_MS = 14 * 60_000;

/** One aggregated answer: an embed or a text, with optional files and buttons. */
export interface AnswerPayload {
  content?: string;
  embeds?: EmbedBuilder[];
  files?: AttachmentBuilder[];
  components?: ActionRowBuilder<ButtonBuilder>[];
}

type RepliableInteraction = ChatInputCommandInteraction | ButtonInteraction;

/** Acknowledges `interaction` with a deferred reply; returns false when Discord rejected it. */
export async function deferInteraction(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
): Promise<boolean> {
  try {
    await interaction.deferReply();
    return true;
  } catch (error) {
    logRestError(ctx.log, error, 'defer reply');
    return false;
  }
}

/** Replies at once (no slow step before it); ephemeral replies are seen by the user alone. */
export async function replyNow(
  ctx: BotContext,
  interaction: RepliableInteraction,
  payload: AnswerPayload,
  options: { ephemeral?: boolean } = {},
): Promise<void> {
  try {
    await interaction.reply({
      ...payload,
      flags: options.ephemeral ? MessageFlags.Ephemeral : undefined,
      allowedMentions: { parse: [] },
    });
  } catch (error) {
    logRestError(ctx.log, error, 'reply');
  }
}

/**
 * Delivers the answer of a deferred interaction: edits the reply while the interaction is younger
 * than the edit window, and otherwise, or when the edit fails because the token is gone, sends a
 * channel message that mentions the user.
 */
export async function finishInteraction(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
  payload: AnswerPayload,
  locale: BotLocale,
): Promise<void> {
  const age = Date.now() - interaction.createdTimestamp;
  if (interaction.deferred && age < ctx.limits.editWindowMs) {
    try {
      await interaction.editReply({ ...payload, allowedMentions: { parse: [] } });
      return;
    } catch (error) {
      logRestError(ctx.log, error, 'edit reply');
      if (!isInteractionGone(error)) return;
    }
  } else if (interaction.deferred) {
    ctx.log.info(
      { interactionId: interaction.id, ageMs: age },
      'interaction is past the edit window; answering with a channel message',
    );
  }
  await sendToChannel(ctx, interaction, payload, locale);
}

async function sendToChannel(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
  payload: AnswerPayload,
  locale: BotLocale,
): Promise<void> {
  const userId = interaction.user.id;
  const message = {
    ...payload,
    content: [translate(locale, 'lateAnswer', { user: `<@${userId}>` }), payload.content]
      .filter(Boolean)
      .join('\n'),
    allowedMentions: { users: [userId] },
  };
  try {
    const channel = interaction.channel ?? (await ctx.client.channels.fetch(interaction.channelId));
    if (channel?.isSendable()) {
      await channel.send(message);
      return;
    }
    await interaction.user.send(message);
  } catch (error) {
    logRestError(ctx.log, error, 'send channel message');
  }
}

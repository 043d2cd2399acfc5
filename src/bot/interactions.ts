/**
 * @module Slash command and button dispatch. Commands with a slow step (classification, image
 * download, first model load) are deferred before that step; quick ones are answered at once.
 */
import type { ChatInputCommandInteraction, Interaction } from 'discord.js';
import { backendInfo } from '../core/tf.ts';
import { COMMAND, OPTION } from './commands.ts';
import type { BotContext } from './context.ts';
import { helpEmbed, modelsEmbed } from './embeds.ts';
import { handleFeedbackButton } from './feedback.ts';
import { answerDigits, answerSentiment } from './flows.ts';
import { type BotLocale, pickLocale, translate } from './i18n.ts';
import { handlePrivacy } from './privacy.ts';
import { deferInteraction, finishInteraction, replyNow } from './respond.ts';

/** Routes an interaction to its handler. REST and classification failures are logged inside. */
export async function handleInteraction(ctx: BotContext, interaction: Interaction): Promise<void> {
  if (interaction.isChatInputCommand()) {
    await handleCommand(ctx, interaction);
  } else if (interaction.isButton()) {
    const handled = await handleFeedbackButton(ctx, interaction);
    if (!handled) ctx.log.debug({ customId: interaction.customId }, 'unknown button ignored');
  }
}

/** Replies with the cooldown message and returns true when the user must wait. */
async function coolingDown(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
  locale: BotLocale,
): Promise<boolean> {
  const seconds = ctx.cooldown.take(interaction.user.id);
  if (seconds === 0) return false;
  await replyNow(
    ctx,
    interaction,
    { content: translate(locale, 'cooldown', { seconds }) },
    {
      ephemeral: true,
    },
  );
  return true;
}

async function handleCommand(ctx: BotContext, interaction: ChatInputCommandInteraction) {
  const locale = pickLocale(interaction.locale);
  switch (interaction.commandName) {
    case COMMAND.sentiment: {
      if (await coolingDown(ctx, interaction, locale)) return;
      // Acknowledge first: the classifier may load a model or start MeCab.
      await deferInteraction(ctx, interaction);
      const lang = interaction.options.getString(OPTION.language);
      const payload = await answerSentiment(ctx, {
        text: interaction.options.getString(OPTION.text, true),
        lang: lang === 'ko' || lang === 'en' ? lang : undefined,
        locale,
        userId: interaction.user.id,
        guildId: interaction.guildId ?? undefined,
      });
      await finishInteraction(ctx, interaction, payload, locale);
      return;
    }
    case COMMAND.digit: {
      if (await coolingDown(ctx, interaction, locale)) return;
      await deferInteraction(ctx, interaction);
      const image = interaction.options.getAttachment(OPTION.image, true);
      const payload = await answerDigits(ctx, image, locale);
      await finishInteraction(ctx, interaction, payload, locale);
      return;
    }
    case COMMAND.model: {
      const backend = backendInfo();
      const backendText = backend
        ? `${backend.name} (${backend.tfBackend}${backend.gpu ? ', GPU' : ''})`
        : undefined;
      const embed = modelsEmbed(ctx.classifier.describeModels(), backendText, locale);
      await replyNow(ctx, interaction, { embeds: [embed] });
      return;
    }
    case COMMAND.help:
      await replyNow(ctx, interaction, { embeds: [helpEmbed(locale)] }, { ephemeral: true });
      return;
    case COMMAND.privacy:
      await handlePrivacy(ctx, interaction);
      return;
    default:
      ctx.log.warn({ command: interaction.commandName }, 'unknown command ignored');
  }
}

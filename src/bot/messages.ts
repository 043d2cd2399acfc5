/**
 * @module Chat conversation: a message that mentions the bot, replies to it, or arrives as a
 * direct message is answered like `/sentiment`, or like `/digit` when it carries an attachment.
 * Messages from bots, the bot itself included, are ignored. One reply per message.
 */
import type { Message } from 'discord.js';
import type { BotContext } from './context.ts';
import { answerDigits, answerSentiment } from './flows.ts';
import { type BotLocale, pickMessageLocale, translate } from './i18n.ts';
import type { AnswerPayload } from './respond.ts';
import { DISCORD_ERROR, discordErrorCode, logRestError } from './rest-errors.ts';

/** Removes mentions of the bot (`<@id>` and `<@!id>`) and trims the rest. */
export function stripBotMention(content: string, botId: string): string {
  return content
    .replace(new RegExp(`<@!?${botId}>`, 'g'), ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when the message is addressed to the bot: a DM, a mention, or a reply to its message. */
export function isAddressedToBot(message: Message, botId: string): boolean {
  if (!message.inGuild()) return true;
  if (message.mentions.users.has(botId)) return true;
  return message.mentions.repliedUser?.id === botId;
}

async function reply(ctx: BotContext, message: Message, payload: AnswerPayload): Promise<void> {
  const options = { ...payload, allowedMentions: { parse: [], repliedUser: false } };
  try {
    await message.reply(options);
  } catch (error) {
    // The message may have been deleted meanwhile, or the bot may lack Read Message History,
    // which replies need. Then the answer goes to the channel as a normal message.
    const code = discordErrorCode(error);
    if (code !== DISCORD_ERROR.unknownMessage && code !== DISCORD_ERROR.cannotReplyWithoutHistory) {
      logRestError(ctx.log, error, 'reply to message');
      return;
    }
    ctx.log.info({ code, messageId: message.id }, 'reply failed; sending a channel message');
    try {
      if (message.channel.isSendable()) await message.channel.send(options);
    } catch (retryError) {
      logRestError(ctx.log, retryError, 'send channel message');
    }
  }
}

function logIntentHintOnce(ctx: BotContext): void {
  if (ctx.intentHintLogged) return;
  ctx.intentHintLogged = true;
  ctx.log.warn(
    'A message addressed to the bot arrived without content because the Message Content intent ' +
      'is off. Enable it in the Discord Developer Portal (your application > Bot > Privileged ' +
      'Gateway Intents > Message Content Intent) and restart; until then users are pointed to ' +
      'the slash commands.',
  );
}

/** Handles one MESSAGE_CREATE. REST and classification failures are logged inside. */
export async function handleMessage(ctx: BotContext, message: Message): Promise<void> {
  const botId = ctx.client.user?.id;
  if (!botId || message.author.bot || message.author.id === botId || message.system) return;
  if (!isAddressedToBot(message, botId)) return;

  const text = stripBotMention(message.content, botId);
  const guildLocale = message.guild?.preferredLocale;
  const locale: BotLocale = pickMessageLocale(text, guildLocale);
  const attachment = message.attachments.first();

  if (!attachment && text.length === 0) {
    // Without the intent, Discord sends empty content for some addressed messages, such as
    // replies that do not ping the bot. An empty string is never classified.
    const key = ctx.messageContent ? 'noText' : 'noContentIntent';
    if (!ctx.messageContent) logIntentHintOnce(ctx);
    await reply(ctx, message, { content: translate(locale, key) });
    return;
  }

  const seconds = ctx.cooldown.take(message.author.id);
  if (seconds > 0) {
    await reply(ctx, message, { content: translate(locale, 'cooldown', { seconds }) });
    return;
  }

  const payload = attachment
    ? await answerDigits(ctx, attachment, locale)
    : await answerSentiment(ctx, {
        text,
        locale,
        userId: message.author.id,
        guildId: message.guildId ?? undefined,
      });
  await reply(ctx, message, payload);
}

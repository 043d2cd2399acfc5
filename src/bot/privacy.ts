/**
 * @module `/privacy`: shows or changes whether feedback labels are stored for the user or, with
 * the Manage Server permission, for the whole server. Each change is written to the audit trail.
 */
import { type ChatInputCommandInteraction, PermissionFlagsBits } from 'discord.js';
import { OPTION } from './commands.ts';
import type { BotContext } from './context.ts';
import { errorText, pickLocale, translate } from './i18n.ts';
import { replyNow } from './respond.ts';
import { NunchiError } from '../core/errors.ts';

export async function handlePrivacy(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  const locale = pickLocale(interaction.locale);
  const setting = interaction.options.getString(OPTION.feedback);
  const scope = interaction.options.getString(OPTION.scope) === 'guild' ? 'guild' : 'user';
  const userId = interaction.user.id;
  const guildId = interaction.guildId ?? undefined;
  const reply = (content: string) => replyNow(ctx, interaction, { content }, { ephemeral: true });
  const stateText = (optedOut: boolean) => translate(locale, optedOut ? 'privacyOff' : 'privacyOn');

  try {
    if (setting === null) {
      const guild = guildId ? stateText(ctx.store.isOptedOut('guild', guildId)) : '—';
      await reply(
        translate(locale, 'privacyStatus', {
          user: stateText(ctx.store.isOptedOut('user', userId)),
          guild,
        }),
      );
      return;
    }
    const optedOut = setting === 'off';
    if (scope === 'guild') {
      if (!guildId) return void (await reply(translate(locale, 'privacyNoGuild')));
      if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
        return void (await reply(translate(locale, 'privacyNeedsManageGuild')));
      }
    }
    const target = scope === 'guild' && guildId ? guildId : userId;
    ctx.store.setOptOut(scope, target, optedOut);
    ctx.store.audit({
      actor: `discord:${userId}`,
      action: optedOut ? 'feedback.opt-out' : 'feedback.opt-in',
      target: `${scope}:${target}`,
      outcome: 'ok',
    });
    ctx.log.info({ scope, optedOut }, 'feedback storage setting changed');
    const key = scope === 'guild' ? 'privacyGuildSet' : 'privacyUserSet';
    await reply(translate(locale, key, { state: stateText(optedOut) }));
  } catch (error) {
    ctx.log.error({ err: (error as Error).message }, 'changing the feedback setting failed');
    await reply(
      errorText(
        locale,
        new NunchiError('STORAGE_FAILED', 'opt-out store failed', {}, { cause: error }),
      ),
    );
  }
}

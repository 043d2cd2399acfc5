/**
 * @module Interaction callbacks (defer, reply, update) sent through their own REST client.
 * Discord does not count interaction callbacks against a bot's global rate limit (50 requests per
 * second), but @discordjs/rest 2.x queues every route behind its client-side global limiter. Under
 * a burst, a deferral queued there could miss the 3-second acknowledgement window, so callbacks
 * bypass that limiter while per-route buckets still apply. Edits and channel messages keep the
 * client's rate-limited REST.
 */
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  InteractionResponseType,
  MessageFlags,
  REST,
  Routes,
} from 'discord.js';
import type { AnswerPayload } from './respond.ts';

type CallbackInteraction = ChatInputCommandInteraction | ButtonInteraction;

/** Converts an answer without files into the message data of a callback. */
function messageData(payload: AnswerPayload, ephemeral: boolean): Record<string, unknown> {
  if (payload.files && payload.files.length > 0) {
    throw new Error('interaction callbacks from InteractionCallbacks carry no files; edit instead');
  }
  return {
    content: payload.content,
    embeds: payload.embeds?.map((embed) => embed.toJSON()),
    components: payload.components?.map((row) => row.toJSON()),
    flags: ephemeral ? MessageFlags.Ephemeral : undefined,
    allowed_mentions: { parse: [] },
  };
}

export class InteractionCallbacks {
  readonly rest: REST;

  /** @param apiBase REST base URL (DISCORD_API_BASE); callbacks need no bot token. */
  constructor(apiBase: string) {
    this.rest = new REST({ api: apiBase, globalRequestsPerSecond: Number.POSITIVE_INFINITY });
  }

  private async post(interaction: CallbackInteraction, body: Record<string, unknown>) {
    await this.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
      body,
      auth: false,
    });
  }

  /** Acknowledges with "thinking…"; the reply is edited later through discord.js. */
  async defer(interaction: ChatInputCommandInteraction): Promise<void> {
    await this.post(interaction, {
      type: InteractionResponseType.DeferredChannelMessageWithSource,
    });
    // discord.js checks these flags before editReply and followUp.
    interaction.deferred = true;
    interaction.ephemeral = false;
  }

  /** Replies at once with a new message. */
  async reply(
    interaction: CallbackInteraction,
    payload: AnswerPayload,
    ephemeral: boolean,
  ): Promise<void> {
    await this.post(interaction, {
      type: InteractionResponseType.ChannelMessageWithSource,
      data: messageData(payload, ephemeral),
    });
    interaction.replied = true;
    interaction.ephemeral = ephemeral;
  }

  /** Replaces the message whose component was pressed. */
  async update(interaction: ButtonInteraction, payload: AnswerPayload): Promise<void> {
    await this.post(interaction, {
      type: InteractionResponseType.UpdateMessage,
      data: messageData(payload, false),
    });
    interaction.replied = true;
  }

  /** Stops the REST client's sweep timers. */
  destroy(): void {
    this.rest.clearHashSweeper();
    this.rest.clearHandlerSweeper();
  }
}

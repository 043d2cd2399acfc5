/**
 * @module Builders for the JSON payloads that the fake Discord server sends over the gateway and
 * returns from REST routes. Field names follow Discord API v10.
 */

/** Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds. */
export const DISCORD_EPOCH = 1_420_070_400_000n;

let increment = 0n;

/**
 * Creates a snowflake whose embedded timestamp is `at` (Unix ms). discord.js derives
 * `createdTimestamp` of interactions and messages from it.
 */
export function snowflake(at: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Math.floor(at)) - DISCORD_EPOCH) << 22n) | increment).toString();
}

export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

export interface FakeGuild {
  id: string;
  name: string;
  preferredLocale: string;
  channels: { id: string; name: string }[];
}

export const CHANNEL_TYPE_GUILD_TEXT = 0;
export const CHANNEL_TYPE_DM = 1;

export function userPayload(user: FakeUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    global_name: user.username,
    discriminator: '0',
    avatar: null,
    bot: user.bot ?? false,
  };
}

export function guildCreatePayload(guild: FakeGuild, botUser: FakeUser): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    owner_id: botUser.id,
    preferred_locale: guild.preferredLocale,
    unavailable: false,
    member_count: 2,
    large: false,
    joined_at: new Date().toISOString(),
    features: [],
    emojis: [],
    stickers: [],
    // The @everyone role has the guild's id; 0x0C00 grants View Channel and Send Messages.
    roles: [{ id: guild.id, name: '@everyone', permissions: '3072', position: 0, color: 0 }],
    channels: guild.channels.map((channel, position) => ({
      id: channel.id,
      name: channel.name,
      type: CHANNEL_TYPE_GUILD_TEXT,
      guild_id: guild.id,
      position,
      permission_overwrites: [],
    })),
    members: [
      { user: userPayload(botUser), roles: [], joined_at: new Date().toISOString(), deaf: false },
    ],
    threads: [],
    presences: [],
    voice_states: [],
  };
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  width?: number;
  height?: number;
}

export interface MessageInput {
  content: string;
  author: FakeUser;
  channelId: string;
  /** Absent for direct messages. */
  guildId?: string;
  mentions?: FakeUser[];
  attachments?: FakeAttachment[];
  /** The message this one replies to, as Discord includes it in `referenced_message`. */
  replyTo?: Record<string, unknown>;
  at?: number;
}

export function messagePayload(input: MessageInput): Record<string, unknown> {
  const at = input.at ?? Date.now();
  const payload: Record<string, unknown> = {
    id: snowflake(at),
    type: input.replyTo ? 19 : 0,
    channel_id: input.channelId,
    channel_type: input.guildId ? CHANNEL_TYPE_GUILD_TEXT : CHANNEL_TYPE_DM,
    author: userPayload(input.author),
    content: input.content,
    timestamp: new Date(at).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: (input.mentions ?? []).map(userPayload),
    mention_roles: [],
    attachments: input.attachments ?? [],
    embeds: [],
    components: [],
    pinned: false,
    flags: 0,
  };
  if (input.guildId) {
    payload.guild_id = input.guildId;
    payload.member = { roles: [], joined_at: new Date(at).toISOString(), deaf: false };
  }
  if (input.replyTo) {
    payload.referenced_message = input.replyTo;
    payload.message_reference = {
      type: 0,
      message_id: input.replyTo.id,
      channel_id: input.channelId,
      guild_id: input.guildId,
    };
  }
  return payload;
}

/** Application command option types used by the fake's command builder. */
export const OPTION_TYPE = { string: 3, boolean: 5, attachment: 11 } as const;

export interface CommandOption {
  name: string;
  type: (typeof OPTION_TYPE)[keyof typeof OPTION_TYPE];
  value: string | boolean;
}

export interface InteractionContext {
  applicationId: string;
  user: FakeUser;
  channelId: string;
  /** Absent for direct messages. */
  guildId?: string;
  locale?: string;
  /** Unix ms embedded in the interaction id; discord.js reads the interaction's age from it. */
  at?: number;
  /** Permission bit set of the member, as a decimal string (default: Manage Guild). */
  memberPermissions?: string;
}

function interactionBase(context: InteractionContext, type: number): Record<string, unknown> {
  const id = snowflake(context.at);
  const base: Record<string, unknown> = {
    id,
    application_id: context.applicationId,
    type,
    token: `interaction-token-${id}`,
    version: 1,
    channel_id: context.channelId,
    locale: context.locale ?? 'en-US',
    app_permissions: '2248473465835073',
    entitlements: [],
    authorizing_integration_owners: {},
    context: context.guildId ? 0 : 1,
  };
  if (context.guildId) {
    base.guild_id = context.guildId;
    base.guild_locale = 'en-US';
    base.channel = { id: context.channelId, type: CHANNEL_TYPE_GUILD_TEXT };
    base.member = {
      user: userPayload(context.user),
      roles: [],
      joined_at: new Date().toISOString(),
      deaf: false,
      mute: false,
      permissions: context.memberPermissions ?? '32',
    };
  } else {
    base.channel = {
      id: context.channelId,
      type: CHANNEL_TYPE_DM,
      recipients: [userPayload(context.user)],
    };
    base.user = userPayload(context.user);
  }
  return base;
}

export function chatInputInteraction(
  context: InteractionContext,
  command: { id: string; name: string; options?: CommandOption[] },
  attachments: FakeAttachment[] = [],
): Record<string, unknown> {
  const payload = interactionBase(context, 2);
  const data: Record<string, unknown> = {
    id: command.id,
    name: command.name,
    type: 1,
    options: command.options ?? [],
  };
  if (attachments.length > 0) {
    data.resolved = {
      attachments: Object.fromEntries(attachments.map((item) => [item.id, item])),
    };
  }
  payload.data = data;
  return payload;
}

export function buttonInteraction(
  context: InteractionContext,
  customId: string,
  message: Record<string, unknown>,
): Record<string, unknown> {
  const payload = interactionBase(context, 3);
  payload.data = { custom_id: customId, component_type: 2 };
  payload.message = message;
  return payload;
}

/**
 * @module Starts the fake Discord server and a real bot against it, with logs captured in memory,
 * for the end-to-end tests.
 */
import pino from 'pino';
import { type BotHandle, type BotLimits, type BotStore, startBot } from '../../src/bot/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import type { Classifier } from '../../src/core/contracts.ts';
import {
  FakeDiscord,
  type FakeDiscordOptions,
  type FakeUser,
  type RecordedRequest,
} from '../fake-discord/index.ts';

export interface Harness {
  fake: FakeDiscord;
  bot: BotHandle;
  /** Every log line the bot wrote, as JSON text. */
  logs: string[];
  stop(): Promise<void>;
}

export interface HarnessOptions {
  classifier: Classifier;
  store: BotStore;
  fake?: FakeDiscordOptions;
  env?: Record<string, string>;
  limits?: Partial<BotLimits>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const fake = await FakeDiscord.start(options.fake);
  const config = loadConfig({
    DISCORD_TOKEN: fake.token,
    DISCORD_API_BASE: fake.apiBase,
    DISCORD_GUILD_ID: fake.guild.id,
    BOT_COOLDOWN_SECONDS: '0',
    ...options.env,
  });
  const logs: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
  try {
    const bot = await startBot({
      classifier: options.classifier,
      store: options.store,
      config,
      logger,
      limits: options.limits,
    });
    return {
      fake,
      bot,
      logs,
      async stop() {
        await bot.stop();
        await fake.stop();
      },
    };
  } catch (error) {
    await fake.stop();
    throw error;
  }
}

let nextUser = 1;

/** Creates a human user with a fresh snowflake id. */
export function newUser(name = 'student'): FakeUser {
  nextUser += 1;
  return { id: `14000000000000${String(nextUser).padStart(5, '0')}`, username: name };
}

/** Resolves with the bot's message that replies to `message` (POST /channels/:id/messages). */
export function waitForReplyTo(
  fake: FakeDiscord,
  message: Record<string, unknown>,
  timeoutMs = 5000,
): Promise<RecordedRequest> {
  return fake.waitForRequest(
    (request) =>
      request.method === 'POST' &&
      request.path === `/channels/${String(message.channel_id)}/messages` &&
      (request.body?.message_reference as { message_id?: string } | undefined)?.message_id ===
        message.id,
    timeoutMs,
    `a reply to message ${String(message.id)}`,
  );
}

/** Resolves with the edit of the interaction's original response (PATCH @original). */
export function waitForEdit(
  fake: FakeDiscord,
  interaction: Record<string, unknown>,
  timeoutMs = 5000,
): Promise<RecordedRequest> {
  return fake.waitForRequest(
    (request) =>
      request.method === 'PATCH' &&
      request.path.includes(`/${String(interaction.token)}/messages/@original`) &&
      request.status === 200,
    timeoutMs,
    `the edit of interaction ${String(interaction.id)}`,
  );
}

/** Resolves with the interaction's callback request. */
export function waitForCallback(
  fake: FakeDiscord,
  interaction: Record<string, unknown>,
  timeoutMs = 5000,
): Promise<RecordedRequest> {
  return fake.waitForRequest(
    (request) =>
      request.path ===
      `/interactions/${String(interaction.id)}/${String(interaction.token)}/callback`,
    timeoutMs,
    `the callback of interaction ${String(interaction.id)}`,
  );
}

type Embed = {
  title?: string;
  description?: string;
  image?: { url: string };
  fields?: { name: string; value: string }[];
};

/** Returns the first embed of a recorded message body. */
export function firstEmbed(request: RecordedRequest): Embed {
  const embeds = (request.body?.embeds ?? []) as Embed[];
  if (embeds.length === 0) throw new Error(`no embed in ${request.method} ${request.path}`);
  return embeds[0];
}

/** Returns the custom ids of every button in a recorded message body. */
export function buttonIds(request: RecordedRequest): string[] {
  const rows = (request.body?.components ?? []) as { components: { custom_id?: string }[] }[];
  return rows.flatMap((row) => row.components.map((button) => button.custom_id ?? ''));
}

/** Sum of the characters Discord counts towards the 6000-character embed limit. */
export function embedLength(embed: Embed & { footer?: { text: string } }): number {
  let total = (embed.title ?? '').length + (embed.description ?? '').length;
  total += (embed.footer?.text ?? '').length;
  for (const field of embed.fields ?? []) total += field.name.length + field.value.length;
  return total;
}

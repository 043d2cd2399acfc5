/**
 * @module The discord.js client: gateway intents, REST base URL, cache limits, and the login that
 * waits for READY. The Message Content intent is requested only when the application has it
 * enabled, because Discord closes the gateway (4014) for a privileged intent that is off.
 */
import { once } from 'node:events';
import {
  type APIApplication,
  ApplicationFlags,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  Options,
  Partials,
  REST,
  Routes,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import { NunchiError } from '../core/errors.ts';
import { restErrorFields } from './rest-errors.ts';

/** Gateway close codes after which discord.js gives up instead of reconnecting. */
const FATAL_CLOSE_CODES: Record<number, string> = {
  4004: 'Discord rejected DISCORD_TOKEN (4004 authentication failed); copy the token again from the Developer Portal (Bot > Reset Token)',
  4010: 'the shard id is invalid (4010); check SHARD_COUNT',
  4011: 'this bot is in too many servers for one shard (4011); set SHARD_COUNT or use the sharded start',
  4012: 'the gateway API version is invalid (4012)',
  4013: 'the gateway intents are invalid (4013)',
  4014: 'a privileged intent is not enabled for this application (4014 disallowed intents); enable Message Content Intent under Bot > Privileged Gateway Intents',
};

const MESSAGE_CONTENT_FLAGS =
  ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited;

/**
 * Asks Discord (GET /applications/@me) whether the Message Content intent is enabled for this
 * application. Returns false, with a warning, when the request fails for another reason than an
 * invalid token.
 *
 * @throws NunchiError CONFIG_INVALID when Discord rejects the token (401).
 */
export async function messageContentEnabled(
  config: Config,
  token: string,
  log: Logger,
): Promise<boolean> {
  const rest = new REST({ api: config.DISCORD_API_BASE }).setToken(token);
  try {
    const application = (await rest.get(Routes.currentApplication())) as APIApplication;
    return ((application.flags ?? 0) & MESSAGE_CONTENT_FLAGS) !== 0;
  } catch (error) {
    if (error instanceof DiscordAPIError && error.status === 401) {
      throw new NunchiError(
        'CONFIG_INVALID',
        'Discord rejected DISCORD_TOKEN (401 Unauthorized); copy the bot token again from the Developer Portal (Bot > Reset Token)',
        { variables: ['DISCORD_TOKEN'] },
      );
    }
    log.warn(
      restErrorFields(error),
      'could not read the application flags; starting without the Message Content intent',
    );
    return false;
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}

/**
 * Returns the gateway shards of a single-process bot: SHARD_COUNT shards, or Discord's
 * recommendation ('auto'). Under the ShardingManager discord.js reads them from its environment.
 */
function singleProcessShards(config: Config): { shards: 'auto' | number[]; shardCount?: number } {
  if (config.SHARD_COUNT === 'auto') return { shards: 'auto' };
  return {
    shards: Array.from({ length: config.SHARD_COUNT }, (_, id) => id),
    shardCount: config.SHARD_COUNT,
  };
}

/**
 * Creates the client; `messageContent` adds the privileged Message Content intent. With
 * `underShardingManager` the shard ids come from the manager instead of SHARD_COUNT.
 */
export function createClient(
  config: Config,
  messageContent: boolean,
  options: { underShardingManager: boolean; restRequestsPerSecond: number },
): Client {
  const intents = [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.DirectMessages,
  ];
  if (messageContent) intents.push(GatewayIntentBits.MessageContent);
  return new Client({
    ...(options.underShardingManager ? {} : singleProcessShards(config)),
    intents,
    // Direct message channels are not cached before their first message arrives.
    partials: [Partials.Channel, Partials.Message],
    rest: { api: config.DISCORD_API_BASE, globalRequestsPerSecond: options.restRequestsPerSecond },
    allowedMentions: { parse: [], repliedUser: false },
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 50,
      PresenceManager: 0,
      ReactionManager: 0,
      GuildMemberManager: {
        maxSize: 200,
        keepOverLimit: (member) => member.id === member.client.user.id,
      },
    }),
  });
}

/**
 * Logs in and resolves when the client is ready.
 *
 * @throws NunchiError CONFIG_INVALID when the token is rejected or a shard closes with a fatal
 *   code, and INTERNAL when READY does not arrive within `timeoutMs`.
 */
export async function loginAndWait(
  client: Client,
  token: string,
  timeoutMs: number,
): Promise<void> {
  const abort = new AbortController();
  const ready = once(client, Events.ClientReady, { signal: abort.signal });
  let onDisconnect: ((event: { code: number }, shardId: number) => void) | undefined;
  const fatal = new Promise<never>((_, reject) => {
    onDisconnect = (event, shardId) => {
      const reason = FATAL_CLOSE_CODES[event.code] ?? `the gateway closed with code ${event.code}`;
      reject(
        new NunchiError('CONFIG_INVALID', `Shard ${shardId} stopped: ${reason}`, {
          code: event.code,
        }),
      );
    };
    client.on(Events.ShardDisconnect, onDisconnect);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new NunchiError(
          'INTERNAL',
          `The Discord gateway did not become ready within ${timeoutMs} ms`,
          {},
        ),
      );
    }, timeoutMs);
  });
  const login = client.login(token).then(() => ready);
  // The promises that lose the race must not surface later as unhandled rejections.
  for (const promise of [ready, fatal, timeout, login]) promise.catch(() => undefined);
  try {
    await Promise.race([login, fatal, timeout]);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'TokenInvalid') {
      throw new NunchiError(
        'CONFIG_INVALID',
        'Discord rejected DISCORD_TOKEN; copy the bot token again from the Developer Portal (Bot > Reset Token)',
        { variables: ['DISCORD_TOKEN'] },
        { cause: error },
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
    if (onDisconnect) client.off(Events.ShardDisconnect, onDisconnect);
  }
}

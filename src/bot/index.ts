/**
 * @module The Discord bot: `startBot` logs in with discord.js v14, registers the slash commands,
 * and replies to commands, mentions, replies and direct messages with the given Classifier. Every
 * event handler catches its own failures, so no REST error becomes an unhandled rejection.
 */
import { type Client, Events, type REST } from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import type { Classifier } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import { getLogger, registerSecret } from '../core/logger.ts';
import { MAX_IMAGE_BYTES, DOWNLOAD_TIMEOUT_MS } from './attachments.ts';
import { AnswerCache } from './answers.ts';
import { createClient, loginAndWait, messageContentEnabled } from './client.ts';
import { buildCommands } from './commands.ts';
import type { BotContext, BotLimits, BotStore } from './context.ts';
import { Cooldown } from './cooldown.ts';
import { handleInteraction } from './interactions.ts';
import { handleMessage } from './messages.ts';
import { EDIT_WINDOW_MS } from './respond.ts';
import {
  DISCORD_ERROR,
  discordErrorCode,
  logRestError,
  createThrottledWarn,
  redactPath,
  restErrorFields,
} from './rest-errors.ts';

export type { BotStore, BotLimits } from './context.ts';

/** Discord's global REST rate limit per bot token, in requests per second. */
const DISCORD_GLOBAL_REQUESTS_PER_SECOND = 50;
/** Time to wait for the gateway READY after login (60 seconds). */
const READY_TIMEOUT_MS = 60_000;

export interface StartBotOptions {
  classifier: Classifier;
  store: BotStore;
  config: Config;
  logger?: Logger;
  /** Overrides of Discord's time and size limits, for tests. */
  limits?: Partial<BotLimits>;
  /** Set by the shard process script: discord.js takes the shard ids from the manager. */
  underShardingManager?: boolean;
}

export interface BotHandle {
  readonly client: Client;
  /** True when the Message Content intent was requested. */
  readonly messageContent: boolean;
  /** Closes the gateway connection; the classifier and store stay open for their owner. */
  stop(): Promise<void>;
}

function runHandler(ctx: BotContext, what: string, task: () => Promise<void>): void {
  task().catch((error: unknown) => {
    if (discordErrorCode(error) !== undefined) logRestError(ctx.log, error, what);
    else ctx.log.error(restErrorFields(error), `${what} handler failed`);
  });
}

/** Logs rate-limit waits and 429 responses of `rest`, at most once per route every 10 s. */
function watchRateLimits(rest: REST, log: Logger): void {
  const warn = createThrottledWarn(log);
  rest.on('rateLimited', (info) => {
    const route = redactPath(info.route);
    warn(
      `wait ${route}`,
      { route, retryAfterMs: info.retryAfter, global: info.global },
      'Discord REST rate limit reached; requests on this route wait',
    );
  });
  rest.on('response', (request, response) => {
    if (response.status !== 429) return;
    const route = redactPath(request.route);
    warn(
      `429 ${route}`,
      { method: request.method, route, retries: request.retries },
      'Discord returned 429 Too Many Requests; the request is retried after Retry-After',
    );
  });
}

function attachHandlers(ctx: BotContext): void {
  const { client, log } = ctx;
  client.on(Events.InteractionCreate, (interaction) => {
    runHandler(ctx, 'interaction', () => handleInteraction(ctx, interaction));
  });
  client.on(Events.MessageCreate, (message) => {
    runHandler(ctx, 'message', () => handleMessage(ctx, message));
  });

  client.on(Events.Error, (error) => log.error({ err: redactPath(error.message) }, 'client error'));
  client.on(Events.Warn, (message) =>
    log.warn({ detail: redactPath(message) }, 'discord.js warning'),
  );
  client.on(Events.ShardError, (error, shardId) => {
    log.error({ shardId, err: redactPath(error.message) }, 'gateway connection error');
  });
  client.on(Events.ShardDisconnect, (event, shardId) => {
    log.warn({ shardId, code: event.code }, 'gateway shard disconnected and will not reconnect');
  });
  client.on(Events.ShardReconnecting, (shardId) => {
    if (!ctx.stopping) log.info({ shardId }, 'gateway shard reconnecting');
  });
  client.on(Events.ShardResume, (shardId, replayed) => {
    log.info({ shardId, replayed }, 'gateway shard resumed');
  });

  watchRateLimits(client.rest, log);

  if (log.isLevelEnabled('trace')) {
    client.on(Events.Debug, (message) => log.trace({ detail: redactPath(message) }, 'discord.js'));
  }
}

/** Registers the commands; failures are logged because mentions and DMs still work without them. */
async function registerCommands(ctx: BotContext): Promise<void> {
  const { client, config, log } = ctx;
  const application = client.application;
  if (!application) return;
  const body = buildCommands(config.MAX_TEXT_CHARS);
  const guildId = config.DISCORD_GUILD_ID;
  try {
    if (guildId) await application.commands.set(body, guildId);
    else await application.commands.set(body);
    log.info(
      {
        scope: guildId ? 'guild' : 'global',
        guildId,
        commands: body.map((command) => command.name),
      },
      'slash commands registered',
    );
  } catch (error) {
    logRestError(log, error, 'register commands');
    if (discordErrorCode(error) === DISCORD_ERROR.missingAccess) {
      log.warn(
        'Registering commands needs the applications.commands scope; invite the bot again with the link in docs/bot.md',
      );
    }
  }
}

/** True when this process runs shard 0, the one that registers commands. */
function runsFirstShard(client: Client): boolean {
  const shards = client.options.shards;
  return !Array.isArray(shards) || shards.includes(0);
}

/**
 * Starts the bot and resolves once the gateway is ready and the commands are registered.
 *
 * @throws NunchiError CONFIG_INVALID when DISCORD_TOKEN is missing or rejected, or a privileged
 *   intent is refused; INTERNAL when the gateway is not ready within 60 seconds.
 */
export async function startBot(options: StartBotOptions): Promise<BotHandle> {
  const { config, classifier, store } = options;
  const log = options.logger ?? getLogger('bot');
  const token = config.DISCORD_TOKEN;
  if (!token) {
    throw new NunchiError('CONFIG_INVALID', 'DISCORD_TOKEN is not set; the bot cannot log in', {
      variables: ['DISCORD_TOKEN'],
    });
  }
  registerSecret(token);

  const messageContent = await messageContentEnabled(config, token, log);
  if (!messageContent) {
    log.warn(
      'The Message Content intent is off: mentions and direct messages still carry their text, other replies to the bot do not. Enable it under Bot > Privileged Gateway Intents in the Discord Developer Portal, or use the slash commands.',
    );
  }
  const limits: BotLimits = {
    editWindowMs: EDIT_WINDOW_MS,
    maxImageBytes: MAX_IMAGE_BYTES,
    downloadTimeoutMs: DOWNLOAD_TIMEOUT_MS,
    restRequestsPerSecond: DISCORD_GLOBAL_REQUESTS_PER_SECOND,
    ...options.limits,
  };
  const client = createClient(config, messageContent, {
    underShardingManager: options.underShardingManager ?? false,
    restRequestsPerSecond: limits.restRequestsPerSecond,
  });
  const ctx: BotContext = {
    client,
    classifier,
    store,
    config,
    log,
    cooldown: new Cooldown(config.BOT_COOLDOWN_SECONDS),
    answers: new AnswerCache(),
    limits,
    messageContent,
    intentHintLogged: false,
    stopping: false,
  };
  attachHandlers(ctx);

  try {
    await loginAndWait(client, token, READY_TIMEOUT_MS);
  } catch (error) {
    await client.destroy();
    throw error;
  }
  if (runsFirstShard(client)) await registerCommands(ctx);
  log.info(
    {
      user: client.user?.tag,
      shards: client.options.shards,
      shardCount: client.options.shardCount,
      messageContent,
    },
    'Discord bot ready',
  );

  return {
    client,
    messageContent,
    async stop() {
      ctx.stopping = true;
      await client.destroy();
      log.info('Discord bot stopped');
    },
  };
}

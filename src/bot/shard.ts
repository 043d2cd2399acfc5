/**
 * @module Sharded start for large deployments. discord.js's ShardingManager forks one process per
 * manager shard. Here each manager shard is a group of gateway shards, so one process runs
 * several gateway connections in one Client and loads the models once for all of them. Feedback
 * from several processes goes to the same SQLite file, which the store opens in WAL mode with a
 * busy timeout.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { REST, Routes, type Shard, ShardingManager, type ShardingManagerOptions } from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import { NunchiError } from '../core/errors.ts';
import { getLogger, registerSecret } from '../core/logger.ts';
import { restErrorFields } from './rest-errors.ts';

/** The script each shard process runs. */
export const SHARD_PROCESS_FILE = fileURLToPath(new URL('./shard-process.ts', import.meta.url));
/**
 * Pause between starting two shard processes, in milliseconds. Discord allows one IDENTIFY per
 * 5 seconds per concurrency bucket.
 */
const SPAWN_DELAY_MS = 5500;

/**
 * Returns the number of gateway shards: SHARD_COUNT when it is a number, else the count that
 * Discord recommends in GET /gateway/bot (asked at DISCORD_API_BASE, not at discord.com).
 */
export async function resolveShardCount(config: Config, token: string): Promise<number> {
  if (config.SHARD_COUNT !== 'auto') return config.SHARD_COUNT;
  const rest = new REST({ api: config.DISCORD_API_BASE }).setToken(token);
  try {
    const gateway = (await rest.get(Routes.gatewayBot())) as { shards?: number };
    return Math.max(1, Math.floor(Number(gateway.shards) || 1));
  } catch (error) {
    throw new NunchiError(
      'CONFIG_INVALID',
      'Could not read the recommended shard count from GET /gateway/bot; check DISCORD_TOKEN and DISCORD_API_BASE, or set SHARD_COUNT',
      restErrorFields(error),
      { cause: error },
    );
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}

/** Splits shard ids 0..total-1 into consecutive groups of at most `perProcess` ids. */
export function groupShards(total: number, perProcess: number): number[][] {
  const size = Math.max(1, Math.floor(perProcess));
  const groups: number[][] = [];
  for (let first = 0; first < total; first += size) {
    groups.push(Array.from({ length: Math.min(size, total - first) }, (_, i) => first + i));
  }
  return groups;
}

/**
 * A ShardingManager whose manager shard `i` is a process running the gateway shards
 * `groups[i]`. discord.js's Client in the child reads SHARDS (a JSON array) and SHARD_COUNT from
 * its environment, so only the environment of each forked process changes.
 *
 * NOTE: `client.shard.ids` in a child lists gateway shard ids, but the manager's shard ids are
 * group indexes. So broadcastEval with a `shard` option addresses a group, not a gateway shard.
 */
class GroupedShardingManager extends ShardingManager {
  constructor(
    file: string,
    options: ShardingManagerOptions,
    private readonly groups: number[][],
    private readonly gatewayShardCount: number,
    private readonly extraEnv: Record<string, string>,
  ) {
    super(file, options);
  }

  override createShard(id: number): Shard {
    const shard = super.createShard(id);
    Object.assign(shard.env as Record<string, unknown>, this.extraEnv, {
      SHARDS: JSON.stringify(this.groups[id]),
      SHARD_COUNT: String(this.gatewayShardCount),
    });
    return shard;
  }
}

export interface ShardManagerOptions {
  config: Config;
  logger?: Logger;
  /** Gateway shards per process (default: spread over the CPU cores of this machine). */
  shardsPerProcess?: number;
  /** Script each process runs (default SHARD_PROCESS_FILE). */
  file?: string;
  /** Environment added to each process, on top of this process's environment. */
  env?: Record<string, string>;
  /** Pause between starting two processes (default 5.5 s, the IDENTIFY rate limit). */
  spawnDelayMs?: number;
}

export interface ShardManagerHandle {
  manager: ShardingManager;
  /** Gateway shard ids of each process, by manager shard id. */
  groups: number[][];
  /** Kills every shard process. */
  stop(): Promise<void>;
}

/**
 * Starts one process per group of gateway shards and resolves when every process is ready.
 *
 * @throws NunchiError CONFIG_INVALID when DISCORD_TOKEN is missing or the shard count cannot be
 *   read.
 */
export async function startShardManager(options: ShardManagerOptions): Promise<ShardManagerHandle> {
  const { config } = options;
  const log = options.logger ?? getLogger('bot');
  const token = config.DISCORD_TOKEN;
  if (!token) {
    throw new NunchiError('CONFIG_INVALID', 'DISCORD_TOKEN is not set; no shard can log in', {
      variables: ['DISCORD_TOKEN'],
    });
  }
  registerSecret(token);

  const total = await resolveShardCount(config, token);
  const perProcess = options.shardsPerProcess ?? Math.ceil(total / availableParallelism());
  const groups = groupShards(total, perProcess);
  const manager = new GroupedShardingManager(
    options.file ?? SHARD_PROCESS_FILE,
    {
      token,
      totalShards: groups.length,
      mode: 'process',
      respawn: true,
      // The shard script is TypeScript, so each process loads the tsx loader first.
      execArgv: ['--import', import.meta.resolve('tsx')],
    },
    groups,
    total,
    options.env ?? {},
  );

  manager.on('shardCreate', (shard) => {
    log.info({ process: shard.id, shards: groups[shard.id] }, 'shard process starting');
    shard.on('death', () => log.warn({ process: shard.id }, 'shard process exited'));
    shard.on('error', (error) =>
      log.error({ process: shard.id, err: error.message }, 'shard process error'),
    );
  });

  // Each process waits for its shards' READY; IDENTIFY takes about 5 s per shard in turn.
  const timeout = 60_000 + perProcess * 6_000;
  await manager.spawn({
    amount: groups.length,
    delay: options.spawnDelayMs ?? SPAWN_DELAY_MS,
    timeout,
  });
  log.info({ processes: groups.length, shards: total }, 'all shard processes ready');
  return {
    manager,
    groups,
    async stop() {
      manager.respawn = false;
      for (const shard of manager.shards.values()) shard.kill();
    },
  };
}

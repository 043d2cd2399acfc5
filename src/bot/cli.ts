/** @module `npm run cli -- bot-shards`: runs the bot under the ShardingManager until stopped. */
import type { CliCommand } from '../cli/command.ts';
import { getConfig } from '../core/config.ts';
import { NunchiError } from '../core/errors.ts';
import { startShardManager } from './shard.ts';

function parsePerProcess(args: string[]): number | undefined {
  const index = args.indexOf('--per-process');
  if (index < 0) return undefined;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new NunchiError(
      'BAD_REQUEST',
      `--per-process expects a positive integer, got "${args[index + 1] ?? ''}"`,
      {},
    );
  }
  return value;
}

export const botCommands: CliCommand[] = [
  {
    name: 'bot-shards',
    usage: 'bot-shards [--per-process N]',
    summary:
      "Run the Discord bot sharded: SHARD_COUNT shards (or Discord's recommendation), N per process",
    async run(args) {
      const handle = await startShardManager({
        config: getConfig(),
        shardsPerProcess: parsePerProcess(args),
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await handle.stop();
      return 0;
    },
  },
];

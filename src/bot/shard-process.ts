/**
 * @module Entry of one shard process forked by `startShardManager`. It loads the models once,
 * opens the shared SQLite store, and runs one Client for the gateway shards that discord.js reads
 * from SHARDS and SHARD_COUNT. SIGTERM and SIGINT close the gateway, the models and the store.
 */
import { getConfig } from '../core/config.ts';
import { isNunchiError } from '../core/errors.ts';
import { getLogger } from '../core/logger.ts';
import { initTf } from '../core/tf.ts';
import { ModelHost } from '../models/host.ts';
import { ModelRegistry } from '../models/registry.ts';
import { createDefaultRuntime } from '../models/runtime.ts';
import { openStore } from '../store/index.ts';
import { startBot } from './index.ts';

const log = getLogger('bot');

async function main(): Promise<void> {
  const config = getConfig();
  await initTf(config.TF_BACKEND);
  const store = openStore(config.dataDir);
  const registry = new ModelRegistry({ modelsDir: config.modelsDir, dataDir: config.dataDir });
  const host = new ModelHost({ registry, runtime: createDefaultRuntime(), logger: log });
  const models = await host.start();
  const versions = Object.fromEntries(models.map((model) => [model.name, model.version ?? null]));
  log.info({ models: versions }, 'shard process loaded its models');
  const bot = await startBot({
    classifier: host,
    store,
    config,
    logger: log,
    underShardingManager: true,
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shard process stopping');
    bot
      .stop()
      .catch((error: unknown) => log.error({ err: (error as Error).message }, 'bot stop failed'))
      .finally(() => {
        host.close();
        store.close();
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // The manager's IPC channel closes when the manager process dies.
  process.on('disconnect', () => shutdown('disconnect'));
}

main().catch((error: unknown) => {
  if (isNunchiError(error)) log.fatal({ code: error.code, details: error.details }, error.message);
  else log.fatal({ err: (error as Error)?.message ?? String(error) }, 'shard process failed');
  process.exit(1);
});

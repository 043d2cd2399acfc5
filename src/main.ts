/**
 * @module Entry point of `npm start`: validates the configuration, then starts the HTTP service
 * and, when DISCORD_TOKEN is set, the Discord bot. SIGTERM and SIGINT shut both down gracefully.
 */
import 'dotenv/config';
import { startBot } from './bot/index.ts';
import { getConfig } from './core/config.ts';
import { isNunchiError } from './core/errors.ts';
import { getLogger, registerSecret } from './core/logger.ts';
import { backendInfo } from './core/tf.ts';
import { startServer } from './server/index.ts';

const log = getLogger('main');

/** Starts the Discord bot when DISCORD_TOKEN is set and returns the function that stops it. */
async function startDiscordBot(
  running: Awaited<ReturnType<typeof startServer>>,
): Promise<(() => Promise<void>) | undefined> {
  const { config, host, store } = running.service;
  if (!config.DISCORD_TOKEN) {
    log.info(
      'Discord bot off: DISCORD_TOKEN is not set; set it (see .env.example) and restart to start the bot',
    );
    return undefined;
  }
  const handle = await startBot({ classifier: host, store, config });
  return () => handle.stop();
}

async function main(): Promise<void> {
  const config = getConfig();
  registerSecret(config.ADMIN_TOKEN);
  registerSecret(config.DISCORD_TOKEN);
  log.info({ host: config.HOST, port: config.PORT, dataDir: config.dataDir }, 'nunchi starting');
  const running = await startServer();
  const backend = backendInfo();
  log.info(
    { backend: backend?.name, tfBackend: backend?.tfBackend, gpu: backend?.gpu ?? false },
    backend?.gpu
      ? 'TensorFlow.js runs on the GPU'
      : 'TensorFlow.js runs on the CPU (no GPU in use)',
  );
  if (!config.ADMIN_TOKEN) log.info('Admin API disabled: set ADMIN_TOKEN to enable /admin routes');
  let stopBot: (() => Promise<void>) | undefined;

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    Promise.all([stopBot?.(), running.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  try {
    stopBot = await startDiscordBot(running);
  } catch (error) {
    // A bot that cannot log in is a configuration error: stop the HTTP service too and exit.
    await running.close();
    throw error;
  }
}

main().catch((error: unknown) => {
  if (isNunchiError(error)) log.fatal({ code: error.code, details: error.details }, error.message);
  else log.fatal({ err: error }, 'nunchi failed to start');
  process.exitCode = 1;
});

/**
 * @module Entry point of `npm start`: validates the configuration, then starts the HTTP service
 * and, when DISCORD_TOKEN is set, the Discord bot.
 */
import 'dotenv/config';
import { getConfig } from './core/config.ts';
import { getLogger } from './core/logger.ts';

const log = getLogger('main');
const config = getConfig();
log.info({ port: config.PORT, host: config.HOST }, 'nunchi starting');

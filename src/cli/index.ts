/**
 * @module Entry point of `npm run cli -- <command>`. Each area registers its commands in
 * `commands.ts`; this file parses nothing beyond the command name.
 */
import 'dotenv/config';
import { isNunchiError } from '../core/errors.ts';
import { setDefaultLogLevel } from '../core/logger.ts';
import { COMMANDS } from './commands.ts';

function printUsage(): void {
  const width = Math.max(...COMMANDS.map((command) => command.usage.length));
  const lines = COMMANDS.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`);
  process.stderr.write(`Usage: npm run cli -- <command> [options]\n\n${lines.join('\n')}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printUsage();
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n`);
    printUsage();
    return 2;
  }
  const separator = args.indexOf('--');
  const options = separator === -1 ? args : args.slice(0, separator);
  if (options.includes('--help') || options.includes('-h')) {
    process.stdout.write(`Usage: npm run cli -- ${command.usage}\n\n  ${command.summary}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    // node:util parseArgs reports an unknown option or a bad value with a code of this family.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      process.stderr.write(`${(error as Error).message}\nUsage: npm run cli -- ${command.usage}\n`);
      return 2;
    }
    throw error;
  }
}

// Informational logs (backend choice, model loading) would bury a command's own output.
setDefaultLogLevel('warn');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isNunchiError(error)) {
      process.stderr.write(`error ${error.code}: ${error.message}\n`);
    } else {
      process.stderr.write(
        `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exitCode = 1;
  },
);

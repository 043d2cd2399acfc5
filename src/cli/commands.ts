import type { CliCommand } from './command.ts';
import { trainingCommands } from './train.ts';

/** Every CLI command, in the order `--help` lists them. Each area appends its own module here. */
export const COMMANDS: CliCommand[] = [...trainingCommands];

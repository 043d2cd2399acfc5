import type { CliCommand } from './command.ts';
import { trainingCommands } from './train.ts';
import { tokenizeCommand } from './tokenize.ts';
import { sentimentCommands } from './sentiment.ts';
import { digitCommands } from './digit.ts';
import { botCommands } from '../bot/cli.ts';

/** Every CLI command, in the order `--help` lists them. Each area appends its own module here. */
export const COMMANDS: CliCommand[] = [
  ...trainingCommands,
  tokenizeCommand,
  ...sentimentCommands,
  ...digitCommands,
  ...botCommands,
];

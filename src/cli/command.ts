/** A CLI command: `run` receives the arguments after the command name and returns an exit code. */
export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

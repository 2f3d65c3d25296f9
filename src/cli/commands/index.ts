/**
 * The table of `probe` subcommands. To add one (e.g. `probe test`), write
 * src/cli/commands/<name>.ts exporting a `Command` (see ../command.ts) and add
 * it to COMMANDS below; main.ts does parsing, --help, colour and exit codes.
 * The first entry is the default command (plain `probe`).
 */
import type { Command } from '../command';
import { reportCommand } from './report';
import { diffCommand } from './diff';
import { explainCommand } from './explain';
import { listCommand } from './list';
import { statCommand } from './stat';
import { testCommand } from './test';

export const COMMANDS: readonly Command[] = [
  reportCommand,
  diffCommand,
  explainCommand,
  listCommand,
  statCommand,
  testCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/**
 * The table of `probe` subcommands. To add one (e.g. `probe test`), write
 * src/cli/commands/<name>.ts exporting a `Command` (see ../command.ts) and add
 * it to COMMANDS below; main.ts does parsing, --help, colour and exit codes.
 * The first entry is the default command (plain `probe`).
 *
 * A command whose module pulls in the kernel bindings at load time is listed
 * through `lazy(name, summary, load)`, so that `probe --help`, `--version` and
 * `probe diff A B` never load koffi.
 */
import type { Command } from '../command';
import { reportCommand } from './report';
import { diffCommand } from './diff';
import { explainCommand } from './explain';
import { listCommand } from './list';
import { statCommand } from './stat';

/** A command loaded on first use; only its name and summary are known before. */
export function lazy(name: string, summary: string, load: () => Command): Command {
  let loaded: Command | undefined;
  const get = (): Command => (loaded ??= load());
  return {
    name,
    summary,
    get help() { return get().help; },
    get options() { return get().options; },
    get minPositionals() { return get().minPositionals; },
    get maxPositionals() { return get().maxPositionals; },
    get positionalsHelp() { return get().positionalsHelp; },
    split(argv) {
      const c = get();
      return c.split ? c.split(argv) : [argv, []];
    },
    run(args, io, passthrough) { return get().run(args, io, passthrough); },
  };
}

export const COMMANDS: readonly Command[] = [
  reportCommand,
  diffCommand,
  explainCommand,
  listCommand,
  statCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lazy('test', 'run behaviour checks: does the kernel honour what it accepts?', () => (require('./test') as typeof import('./test')).testCommand),
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

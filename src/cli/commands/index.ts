/**
 * The table of `probe` subcommands. To add one (e.g. `probe test`), write
 * src/cli/commands/<name>.ts exporting a `Command` (see ../command.ts) and add
 * it to COMMANDS below; main.ts does parsing, --help, colour and exit codes.
 * The first entry is the default command (plain `probe`).
 *
 * Every command is listed through `lazy(name, load)`: only its name and
 * summary (summaries.ts) are known until it runs or its help is asked for, so a
 * process loads the code of the one command it runs, and `probe --help`,
 * `--version` and `probe diff A B` never load koffi or the probe engine.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type { Command } from '../command';
import { SUMMARIES } from './summaries';

/** A command loaded on first use; only its name and summary are known before. */
export function lazy(name: keyof typeof SUMMARIES, load: () => Command): Command {
  const summary = SUMMARIES[name];
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
  lazy('report', () => (require('./report') as typeof import('./report')).reportCommand),
  lazy('diff', () => (require('./diff') as typeof import('./diff')).diffCommand),
  lazy('explain', () => (require('./explain') as typeof import('./explain')).explainCommand),
  lazy('list', () => (require('./list') as typeof import('./list')).listCommand),
  lazy('stat', () => (require('./stat') as typeof import('./stat')).statCommand),
  lazy('test', () => (require('./test') as typeof import('./test')).testCommand),
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

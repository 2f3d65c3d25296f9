/**
 * What a `probe` subcommand is: a name, a one-line summary, its help text and
 * util.parseArgs option table, and a run function that returns the exit code.
 * Commands are listed in commands/index.ts; main.ts dispatches to them.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Palette } from './color';

export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** Exit codes of the `probe` command. */
export const EXIT = {
  OK: 0,
  /** `probe diff` found a feature supported in A that is not in B. */
  LOSS: 1,
  USAGE: 2,
  /** perf_event_open is not usable here at all. */
  UNAVAILABLE: 3,
} as const;

/** Where a command writes, and how the terminal wants it. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Columns to lay text out in (80 unless a narrower TTY says otherwise). */
  width: number;
  /**
   * Cut over-long text to the width with "…" (a terminal). False when the output
   * is a pipe or file: such text wraps onto more lines instead, nothing is lost.
   */
  cut?: boolean;
  palette: Palette;
  env: NodeJS.ProcessEnv;
  /** End this process by a signal, as perf stat does after Ctrl-C (absent when main runs in-process for a test). */
  raise?(signal: NodeJS.Signals): void;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  summary: string;
  /** Full --help text (usage line first). */
  help: string;
  options: OptionTable;
  /** Positional words this command takes (default 0 … any number). */
  minPositionals?: number;
  maxPositionals?: number;
  /** How the positionals are named in usage errors, e.g. "A.json [B.json]". */
  positionalsHelp?: string;
  /**
   * Split argv before parsing, e.g. `stat` passes everything from the child
   * command onwards through untouched. Returns [own args, passthrough].
   */
  split?(argv: string[]): [string[], string[]];
  run(args: ParsedArgs, io: CliIO, passthrough: string[]): Promise<number>;
}

/** Bad input from the user: one line on stderr, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The options every command accepts. */
export const COMMON_OPTIONS: OptionTable = {
  help: { type: 'boolean', short: 'h' },
  'no-color': { type: 'boolean' },
  color: { type: 'boolean' },
  refresh: { type: 'boolean' },
};

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function strs(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

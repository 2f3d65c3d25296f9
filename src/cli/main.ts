/**
 * The `probe` command line: pick the subcommand, parse its arguments with
 * util.parseArgs, decide colour and width, run it, and turn every failure into
 * one line on stderr and an exit code (0 ok, 1 diff found a loss, 2 usage,
 * 3 perf_event_open unusable here). Stack traces only with DEBUG=perfcompat:*.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { parseArgs } from 'node:util';
import { PerfcompatError } from '../errors';
import { EXIT, UsageError, COMMON_OPTIONS, type CliIO, type Command, type ParsedArgs } from './command';
import { palette, useColor } from './color';
import { COMMANDS, findCommand } from './commands';

// What only some runs need is required where it is used (help text, a usage
// error, a failure's trace, --version): a start-up loads the one command it runs.
const engineVersion = (): string => (require('../probe/engine-version') as typeof import('../probe/engine-version')).engineVersion();
const DEFAULT_WIDTH = 80;
const MIN_WIDTH = 60;
/** No error line is longer than this (a message quoting a megabyte of input is cut). */
const MAX_MESSAGE = 2000;

export interface MainStreams {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number; hasColors?(env: object): boolean };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  /** End the process by a signal (probe stat after Ctrl-C); the real process's by default. */
  raise?(signal: NodeJS.Signals): void;
}

function raiseHere(signal: NodeJS.Signals): void {
  process.kill(process.pid, signal);
}

function globalHelp(): string {
  const { wrapWords } = require('./text') as typeof import('./text');
  const rows = COMMANDS.filter((c) => c.name !== 'report')
    .flatMap((c) => wrapWords(c.summary, DEFAULT_WIDTH - 18).map((l, i) => `${i === 0 ? `  probe ${c.name.padEnd(9)}` : ' '.repeat(17)} ${l}`));
  const report = findCommand('report') as Command;
  return `${report.help.split('\nCommands:')[0]}\nCommands:\n${rows.join('\n')}\n\nExit status: 0 ok, 1 probe diff found a loss, 2 usage error,\n3 perf_event_open not usable here. DEBUG=perfcompat:* shows traces.`;
}

/** parseArgs errors, rewritten as one line naming the input and what is valid. */
function usageFromParseError(cmd: Command, err: Error): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  const quoted = /'([^']+)'/.exec(err.message)?.[1];
  const where = cmd.name === 'report' ? 'probe' : `probe ${cmd.name}`;
  const valid = Object.entries(cmd.options).map(([name, o]) => `--${name}${o.type === 'string' ? ' X' : ''}`).join(' ');
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return new UsageError(`${where}: unknown option '${quoted ?? '?'}'; valid options: ${valid}`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const missing = /Option '(-\S+?)(?:, (-\S+?))?(?: <value>)?' argument missing/.exec(err.message);
    if (missing) return new UsageError(`${where}: option '${missing[2] ?? missing[1]}' needs a value; valid options: ${valid}`);
    return new UsageError(`${where}: ${err.message.split('. ')[0]}; valid options: ${valid}`);
  }
  return new UsageError(`${where}: ${err.message}`);
}

function parseFor(cmd: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: cmd.options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    if (err instanceof TypeError && typeof (err as NodeJS.ErrnoException).code === 'string') throw usageFromParseError(cmd, err);
    throw err;
  }
}

/** Which command argv names, and the argv it gets. A command word may follow global flags. */
function route(argv: string[]): { cmd: Command; args: string[] } {
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-')) {
    const cmd = findCommand(first);
    if (cmd !== undefined && cmd.name !== 'report') return { cmd, args: argv.slice(1) };
    const names = COMMANDS.map((c) => c.name).filter((n) => n !== 'report');
    const { didYouMean } = require('./did-you-mean') as typeof import('./did-you-mean');
    const near = didYouMean(first, names, 3);
    throw new UsageError(`unknown command '${first}'${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}; commands: ${names.join(', ')}, or none for the report`);
  }
  // `probe --no-color diff a b`: find a command word after leading common flags.
  const i = argv.findIndex((a) => !a.startsWith('-'));
  if (i > 0 && argv.slice(0, i).every((a) => Object.keys(COMMON_OPTIONS).includes(a.replace(/^--?/, '')) || a === '-h')) {
    const cmd = findCommand(argv[i] as string);
    if (cmd !== undefined && cmd.name !== 'report') return { cmd, args: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { cmd: findCommand('report') as Command, args: argv };
}

function checkPositionals(cmd: Command, args: ParsedArgs): void {
  const n = args.positionals.length;
  const min = cmd.minPositionals ?? 0;
  const max = cmd.maxPositionals ?? Infinity;
  if (n >= min && n <= max) return;
  const where = cmd.name === 'report' ? 'probe' : `probe ${cmd.name}`;
  if (n < min) throw new UsageError(`${where}: missing ${cmd.positionalsHelp ?? 'argument'}; usage: ${(cmd.help.split('\n')[0] ?? '').replace(/^Usage: /, '')}`);
  const extra = args.positionals.slice(max).map((x) => `'${x}'`).join(' ');
  throw new UsageError(`${where}: unexpected argument ${extra}; usage: ${(cmd.help.split('\n')[0] ?? '').replace(/^Usage: /, '')}`);
}

export async function main(argv: string[], streams: MainStreams = { stdout: process.stdout, stderr: process.stderr, env: process.env, raise: raiseHere }): Promise<number> {
  // Messages can quote a file's text (an id, a schema, a path): control characters escaped, length capped.
  const errLine = (raw: string): void => {
    const { escapeControl } = require('./text') as typeof import('./text');
    const s = escapeControl(raw.length > MAX_MESSAGE ? `${raw.slice(0, MAX_MESSAGE - 3)}...` : raw);
    streams.stderr.write(`${s.startsWith('probe') ? '' : 'probe: '}${s}\n`);
  };
  try {
    if (argv[0] === '--version' || argv[0] === '-V') {
      streams.stdout.write(`${engineVersion()}\n`);
      return EXIT.OK;
    }
    const { cmd, args: rest } = route(argv);
    const [own, passthrough] = cmd.split ? cmd.split(rest) : [rest, []];
    const args = parseFor(cmd, own);
    if (args.values.help === true) {
      streams.stdout.write(`${cmd.name === 'report' ? globalHelp() : cmd.help}\n`);
      return EXIT.OK;
    }
    if (cmd.name === 'report' && args.values.version === true) {
      streams.stdout.write(`${engineVersion()}\n`);
      return EXIT.OK;
    }
    checkPositionals(cmd, args);
    const { stdout } = streams;
    const isTTY = stdout.isTTY === true;
    const columns = isTTY && typeof streams.stdout.columns === 'number' && streams.stdout.columns > 0 ? streams.stdout.columns : DEFAULT_WIDTH;
    const io: CliIO = {
      out: (s) => { streams.stdout.write(s); },
      err: (s) => { streams.stderr.write(s); },
      width: Math.max(MIN_WIDTH, Math.min(DEFAULT_WIDTH, columns)),
      cut: isTTY,
      palette: palette(useColor({
        isTTY,
        ...(typeof stdout.hasColors === 'function' ? { hasColors: (env: object) => (stdout.hasColors as (env: object) => boolean).call(stdout, env) } : {}),
        env: streams.env,
        noColorFlag: args.values['no-color'] === true,
        colorFlag: args.values.color === true,
      })),
      env: streams.env,
      ...(streams.raise !== undefined ? { raise: streams.raise } : {}),
    };
    return await cmd.run(args, io, passthrough);
  } catch (err) {
    const log = (require('../sys/log') as typeof import('../sys/log')).logger('cli');
    if (log.enabled) log('probe %o failed: %s', argv, err instanceof Error ? err.stack : String(err));
    if (err instanceof UsageError) {
      errLine(err.message);
      return EXIT.USAGE;
    }
    if (err instanceof PerfcompatError) {
      if (err.code === 'ERR_PERF_UNAVAILABLE') {
        errLine(err.message.startsWith('perf_event_open') ? err.message : `perf_event_open is not usable here: ${err.message}`);
        return EXIT.UNAVAILABLE;
      }
      if (err.code === 'ERR_EVENT_NAME' || err.code === 'ERR_INVALID_ARGUMENT' || err.code === 'ERR_ADAPTATION_REFUSED') {
        errLine(err.message);
        return EXIT.USAGE;
      }
      errLine(`${err.message}${err.errnoName !== undefined ? ` (${err.errnoName})` : ''}`);
      return 1;
    }
    errLine(`internal error: ${err instanceof Error ? err.message : String(err)} (DEBUG=perfcompat:* shows the trace)`);
    return 1;
  }
}

/**
 * Run the built CLI (bin/probe.js) as a child process, the way a user does,
 * and hand back exit status, stdout and stderr. Shared by the CLI tests.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The package root, from dist/test/unit/cli. */
export const ROOT = join(__dirname, '..', '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'probe.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; command?: string[] } = {}): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete env.DEBUG;
  if (opts.env?.DEBUG !== undefined) env.DEBUG = opts.env.DEBUG;
  if (opts.env && 'NO_COLOR' in opts.env && opts.env.NO_COLOR === undefined) delete env.NO_COLOR;
  const [cmd, ...pre] = opts.command ?? [process.execPath];
  const r = spawnSync(cmd as string, [...pre, BIN, ...args], { env, encoding: 'utf8', input: opts.input ?? '', timeout: 50_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line on stderr, naming something, never a stack trace. */
export function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  if (lines.length !== 1) throw new Error(`expected one stderr line, got ${lines.length}:\n${stderr}`);
  if (/^\s+at /m.test(stderr)) throw new Error(`stack trace on stderr:\n${stderr}`);
  return lines[0] as string;
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[/;

export function maxWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map((l) => [...l].length));
}

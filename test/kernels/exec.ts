/**
 * Small process helpers for the kernel-matrix harness: run a command, capture
 * its output, fail loudly with what it printed.
 */
import { spawn, type SpawnOptions } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Bytes written to the child's stdin, then closed. */
  input?: string | Buffer;
  /** Kill the child (by its pid) after this many ms. */
  timeoutMs?: number;
  /** Resolve even when the command exits non-zero. */
  allowFail?: boolean;
}

export class CommandError extends Error {
  constructor(readonly argv: readonly string[], readonly result: RunResult) {
    super(`${argv.join(' ')} failed (${result.signal ?? `exit ${result.code}`}): ${tail(result.stderr || result.stdout, 2000)}`);
  }
}

export function tail(text: string, n: number): string {
  const t = text.trim();
  return t.length > n ? `…${t.slice(t.length - n)}` : t;
}

export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const so: SpawnOptions = { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] };
    const child = spawn(argv[0]!, argv.slice(1), so);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs !== undefined && child.pid !== undefined) {
      const pid = child.pid;
      timer = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ } }, opts.timeoutMs);
    }
    child.on('error', (e) => { if (timer) clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result: RunResult = { code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (code !== 0 && !opts.allowFail) reject(new CommandError(argv, result));
      else resolve(result);
    });
    child.stdin!.on('error', () => { /* child may not read stdin */ });
    child.stdin!.end(opts.input ?? '');
  });
}

/** Absolute path of an executable on PATH, or null. */
export async function which(name: string): Promise<string | null> {
  const { access, constants } = await import('node:fs/promises');
  const path = await import('node:path');
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try { await access(p, constants.X_OK); return p; } catch { /* next */ }
  }
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) {
    const p = path.join(dir, name);
    try { await access(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

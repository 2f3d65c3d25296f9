/**
 * Child processes for behaviour checks that must open an event on another
 * task (enable_on_exec, group read after exit). The child stops itself before
 * it execs the work, so the event can be opened on its pid first; everything
 * is synchronous (getCapabilities is), waiting by looking at the child's state
 * in procfs rather than at Node's event loop, which does not run meanwhile.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { PerfcompatError } from '../errors';

/**
 * How long a check waits for a child to stop itself and to run to its end:
 * generous, because a kernel booted under emulation (qemu TCG) runs a shell
 * loop tens of times slower than real hardware. A child that overruns is
 * killed by the check's cleanup (BehaviourContext.dispose).
 */
export const CHILD_STOP_TIMEOUT_MS = 30_000;
export const CHILD_EXIT_TIMEOUT_MS = 60_000;

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Sleep the thread without spinning (Atomics.wait on a private word). */
export function sleepMs(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}

/**
 * One-letter state of a task (R, S, T, Z, ...), or null when it is gone.
 * Not being able to look (EMFILE, ENOMEM) is thrown, naming the errno: it
 * must never read as "gone" (a check would then read its events before the
 * child ran, and call a working kernel broken).
 */
export function taskState(pid: number, procRoot = '/proc'): string | null {
  let stat: string;
  try {
    stat = readFileSync(`${procRoot}/${pid}/stat`, 'latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return null;
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `cannot look at child ${pid} in ${procRoot}: ${code ?? (e as Error).message}`);
  }
  // pid (comm) state ... — comm may hold spaces and parentheses; state follows the last ')'.
  const close = stat.lastIndexOf(')');
  return close < 0 ? null : stat.charAt(close + 2) || null;
}

function waitFor(pid: number, done: (state: string | null) => boolean, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done(taskState(pid))) return true;
    if (Date.now() >= deadline) return false;
    sleepMs(1);
  }
}

/**
 * Why a spawn that gave no pid failed, when it is for want of fds (the error
 * event comes later): " (EMFILE: ...)" so the answer is a fault of the moment.
 */
function fdShortage(): string {
  const held: number[] = [];
  try {
    // A spawn takes a few fds of its own (libuv's exec-error pipe): ask for as many.
    for (let i = 0; i < 3; i++) held.push(openSync('/dev/null', 'r'));
    return '';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE' ? ` (${code}: no free file descriptor)` : '';
  } finally {
    for (const fd of held) closeSync(fd);
  }
}

export class StoppedChild {
  readonly pid: number;
  private readonly proc: ChildProcess;
  private finished = false;

  private constructor(proc: ChildProcess, pid: number) {
    this.proc = proc;
    this.pid = pid;
  }

  /**
   * Start `argv` under a shell that stops itself first (SIGSTOP); returns once
   * the child is stopped, before it execs argv.
   */
  static start(argv: readonly string[], timeoutMs = CHILD_STOP_TIMEOUT_MS): StoppedChild {
    if (argv.length === 0) throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'child argv: empty; expected a program and its arguments');
    let proc: ChildProcess;
    try {
      proc = spawn('/bin/sh', ['-c', 'kill -STOP $$; exec "$@"', 'sh', ...argv], { stdio: 'ignore' });
    } catch (e) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `could not start /bin/sh for child ${argv[0]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    // A spawn error (EMFILE, no /bin/sh) arrives as an event after this returns; never let it crash the process.
    proc.on('error', () => undefined);
    if (proc.pid === undefined) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `could not start /bin/sh for child ${argv[0]}${fdShortage()}`);
    }
    const child = new StoppedChild(proc, proc.pid);
    let s: string | null;
    try {
      if (!waitFor(child.pid, (st) => st === 'T' || st === 't' || st === 'Z' || st === null, timeoutMs)) {
        throw new PerfcompatError('ERR_INVALID_ARGUMENT', `child ${argv[0]} did not stop itself within ${timeoutMs} ms`);
      }
      s = taskState(child.pid);
    } catch (e) {
      child.kill();
      throw e;
    }
    if (s !== 'T' && s !== 't') {
      child.finished = true;
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `child ${argv[0]} exited before it could be observed (state ${s ?? 'gone'})`);
    }
    return child;
  }

  /** Let it exec and run. */
  resume(): void {
    process.kill(this.pid, 'SIGCONT');
  }

  /** Wait until it has exited (zombie or reaped); false on timeout. */
  waitExit(timeoutMs = CHILD_EXIT_TIMEOUT_MS): boolean {
    const ok = waitFor(this.pid, (s) => s === 'Z' || s === 'X' || s === null, timeoutMs);
    if (ok) this.finished = true;
    return ok;
  }

  /** Kill it if still running (cleanup path). */
  kill(): void {
    if (this.finished) return;
    try {
      this.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
    this.finished = true;
  }
}

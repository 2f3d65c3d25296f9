/**
 * Count a command from exec to exit. The child is a shell held on a read of
 * fd 3 (a pipe only this process writes): once it is blocked there, the
 * events are opened on its pid with enable_on_exec + inherit, and a newline
 * releases it to exec the command. Counting therefore starts at the command's
 * exec — neither the counting tool nor the shell is counted — and covers
 * every child the command creates. stdin/stdout/stderr are the caller's.
 */
import { spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { invalidArgument, shownValue } from '../abi/args';
import { PerfcompatError } from '../errors';
import { EventSet } from './event-set';
import type { CommandCounts, ForCommandOptions, RefusedEvent } from './command-types';
export type { CommandCounts, ForCommandOptions, RefusedEvent } from './command-types';

/** An event the kernel or the policy refused (skippable), as opposed to bad input (a name that does not parse). */
function isRefusal(err: unknown): boolean {
  return err instanceof PerfcompatError && (err.code === 'ERR_KERNEL' || err.code === 'ERR_ADAPTATION_REFUSED');
}

/** The events counted when none are given: perf stat's software set. */
export const DEFAULT_COMMAND_EVENTS: readonly string[] = ['task-clock', 'context-switches', 'cpu-migrations', 'page-faults'];

// fd 3 is a socket pair: the shell says it is up (so its start-up is not timed), then waits for the release.
const HOLD = 'echo >&3 || exit 126; read _ <&3 || exit 126; exec "$@" 3<&-';

export async function forCommand(argv: readonly string[], optsIn?: ForCommandOptions): Promise<CommandCounts> {
  if (optsIn !== undefined && (optsIn === null || typeof optsIn !== 'object' || Array.isArray(optsIn))) throw invalidArgument('EventSet.forCommand', 'opts', optsIn, 'an options object or undefined');
  const opts = optsIn ?? {};
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string')) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `EventSet.forCommand: argv must be a non-empty array of strings (e.g. ['sleep', '1']), got ${shownValue(argv)}`);
  }
  const stdio = opts.stdio ?? 'inherit';
  const child = spawn('/bin/sh', ['-c', HOLD, 'sh', ...argv], {
    stdio: [stdio, stdio, stdio, 'pipe'],
    env: opts.env ?? process.env,
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  exited.catch(() => undefined); // observed below; never an unhandled rejection
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const gate = child.stdio[3] as Duplex;
  gate.on('error', () => undefined); // the shell may be gone already (EPIPE)
  const up = new Promise<void>((resolve) => {
    gate.once('data', () => resolve());
    gate.once('close', () => resolve());
  });
  // Whatever fails before the release (the EventSet constructor under seccomp, a bad event) ends the held shell.
  const abandon = async (e: unknown): Promise<never> => {
    child.kill('SIGKILL');
    gate.destroy();
    await exited.catch(() => undefined);
    throw e;
  };
  const { kernel, capabilities, environment, uname, policy } = opts;
  let set: EventSet;
  try {
    set = new EventSet({
      pid: child.pid!, inherit: true, enableOnExec: true,
      ...(kernel ? { kernel } : {}), ...(capabilities ? { capabilities } : {}),
      ...(environment ? { environment } : {}), ...(uname ? { uname } : {}), ...(policy ? { policy } : {}),
    });
  } catch (e) {
    return abandon(e);
  }
  try {
    const refused: RefusedEvent[] = [];
    try {
      (opts.events ?? DEFAULT_COMMAND_EVENTS).forEach((e, index) => {
        try {
          set.add(e);
        } catch (err) {
          if (opts.skipRefused !== true || !isRefusal(err)) throw err;
          refused.push({ event: typeof e === 'string' ? e : e.name ?? `type ${e.type}`, index, error: err as Error });
        }
      });
    } catch (e) {
      return await abandon(e);
    }
    set.markRunning();
    await up;
    // perf's "time elapsed": from the release to exec (the held shell only execs) to the exit.
    const released = process.hrtime.bigint();
    gate.end('\n');
    opts.onRunning?.({ readValues: () => set.readValues(), pid: child.pid! });
    const { code, signal } = await exited;
    const elapsedNs = process.hrtime.bigint() - released;
    const values = set.size > 0 ? set.readValues() : [];
    return {
      argv: [...argv], exitCode: code, signal, values, readPath: set.readPath, groups: set.groups, splits: [...set.splits], adaptations: set.adaptations,
      elapsedNs, refused,
    };
  } finally {
    set.close();
  }
}

// Attached here, not defined in event-set.ts, so event-set never needs this
// module (no import circle, no runtime require); src/shim/index.ts loads it.
EventSet.forCommand = forCommand;

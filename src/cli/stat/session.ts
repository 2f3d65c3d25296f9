/**
 * One probe stat session: count a command (EventSet.forCommand, -r N
 * times), or attach to processes (-p) or CPUs (-a, -C) until they exit, the
 * command given with them exits, or Ctrl-C. Interval prints (-I) read the
 * live counts; Ctrl-C (SIGINT, which the command in the same process group
 * gets too) ends the wait and the counts so far are reported, as perf does.
 */
import { spawn } from 'node:child_process';
import { PerfcompatError } from '../../errors';
import type { CapabilityMap } from '../../model/capability-map';
import type { EventValue, Policy } from '../../shim';
import type { CommandCounts } from '../../shim/for-command';
import { childrenCpuSeconds, processAlive, threadsOf } from '../../env/proc-tasks';
import { deltaValues, mergeRuns, rowsOf, type RefusedEvent, type StatRow } from './rows';
import type { StatOptions } from './options';
import { openTargets, type TargetSets } from './targets';

export interface SessionResult {
  rows: StatRow[];
  elapsedNs: number[];
  cpu?: { user: number; sys: number };
  splits: string[];
  adaptations: CommandCounts['adaptations'];
  /** Exit status and signal of the command's last run (null: no command). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  interrupted: boolean;
}

export interface SessionHooks {
  /** Interval print: seconds since the start, the interval's rows and its length in ns. */
  interval?(atSec: number, rows: StatRow[], intervalNs: number): void;
}

const POLL_MS = 50;

function interrupts(): { readonly hit: boolean; wait: Promise<void>; off(): void } {
  let hit = false;
  let wake = (): void => undefined;
  const wait = new Promise<void>((resolve) => { wake = resolve; });
  const on = (): void => { hit = true; wake(); };
  process.on('SIGINT', on);
  return { get hit() { return hit; }, wait, off: () => { process.removeListener('SIGINT', on); } };
}

/** Interval timer over live reads; `finish` prints the last, partial interval. */
function intervals(o: StatOptions, events: string[], refused: () => RefusedEvent[], hooks: SessionHooks, t0: bigint) {
  let prev: EventValue[] | undefined;
  let prevAt = t0;
  let timer: NodeJS.Timeout | undefined;
  const emit = (now: EventValue[]): void => {
    const at = process.hrtime.bigint();
    hooks.interval?.(Number(at - t0) / 1e9, rowsOf(events, deltaValues(now, prev), refused()), Number(at - prevAt));
    prev = now;
    prevAt = at;
  };
  return {
    start(read: () => EventValue[]): void {
      if (o.intervalMs === undefined) return;
      timer = setInterval(() => { try { emit(read()); } catch { /* the target is gone; the final read reports */ } }, o.intervalMs);
    },
    finish(last: EventValue[]): void {
      if (timer !== undefined) clearInterval(timer);
      if (o.intervalMs !== undefined) emit(last);
    },
  };
}

export async function runSession(argv: string[], o: StatOptions, capabilities: CapabilityMap, policy: Policy, hooks: SessionHooks): Promise<SessionResult> {
  const sig = interrupts();
  try {
    return argv.length > 0 && o.pids === undefined && o.cpus === undefined
      ? await countCommand(argv, o, capabilities, policy, hooks, sig)
      : await countTargets(argv, o, capabilities, policy, hooks, sig);
  } finally {
    // One more turn of the loop: a SIGINT that came with the command's exit is dispatched before the handler goes.
    await new Promise((resolve) => setImmediate(resolve));
    sig.off();
  }
}

async function countCommand(argv: string[], o: StatOptions, capabilities: CapabilityMap, policy: Policy, hooks: SessionHooks, sig: ReturnType<typeof interrupts>): Promise<SessionResult> {
  const { EventSet } = await import('../../shim');
  const runs: StatRow[][] = [];
  const elapsed: number[] = [];
  let last: CommandCounts | undefined;
  const cpu0 = childrenCpuSeconds();
  for (let i = 0; i < o.repeat && !(i > 0 && sig.hit); i++) {
    let refused: RefusedEvent[] = [];
    let t = intervals(o, o.events, () => refused, hooks, process.hrtime.bigint());
    const c = await EventSet.forCommand(argv, {
      events: o.events, capabilities, policy, skipRefused: true,
      onRunning: (live) => { t = intervals(o, o.events, () => refused, hooks, process.hrtime.bigint()); t.start(live.readValues); },
    });
    refused = c.refused;
    t.finish(c.values);
    runs.push(rowsOf(o.events, c.values, c.refused));
    elapsed.push(Number(c.elapsedNs));
    last = c;
  }
  const cpu1 = childrenCpuSeconds();
  const r: SessionResult = {
    rows: mergeRuns(runs), elapsedNs: elapsed, splits: last!.splits, adaptations: last!.adaptations,
    // Ctrl-C reaches the command too: a command ended by SIGINT was interrupted even if probe's handler saw it late.
    exit: { code: last!.exitCode, signal: last!.signal }, interrupted: sig.hit || last!.signal === 'SIGINT',
  };
  if (o.repeat === 1) r.cpu = { user: Math.max(0, cpu1.user - cpu0.user), sys: Math.max(0, cpu1.sys - cpu0.sys) };
  return r;
}

function deniedError(what: string, capabilities: CapabilityMap) {
  return (err: PerfcompatError): Error => {
    const paranoid = capabilities.environment.paranoid;
    return new PerfcompatError('ERR_PERF_UNAVAILABLE', `perf_event_open refused ${what} with ${err.errnoName ?? 'EACCES'}: that needs CAP_PERFMON (or CAP_SYS_ADMIN), or kernel.perf_event_paranoid ${what.startsWith('CPU') ? '≤ 0' : '≤ 1 and the same user'} (it is ${paranoid ?? 'unknown'} here)`, { ...(err.errno !== undefined ? { errno: err.errno } : {}), ...(err.errnoName !== undefined ? { errnoName: err.errnoName } : {}) });
  };
}

async function countTargets(argv: string[], o: StatOptions, capabilities: CapabilityMap, policy: Policy, hooks: SessionHooks, sig: ReturnType<typeof interrupts>): Promise<SessionResult> {
  const { EventSet } = await import('../../shim');
  let sets: TargetSets;
  if (o.pids !== undefined) {
    const targets = o.pids.flatMap((pid) => {
      if (!processAlive(pid)) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `probe stat: -p ${pid}: no such process`);
      return threadsOf(pid).map((tid) => ({ pid: tid, cpu: -1 }));
    });
    sets = openTargets(EventSet, targets, o.events, { capabilities, policy, what: `process ${o.pids.join(',')}`, denied: deniedError(`counting process ${o.pids.join(',')}`, capabilities) });
  } else {
    sets = openTargets(EventSet, o.cpus!.map((cpu) => ({ pid: -1, cpu })), o.events, { capabilities, policy, what: 'CPU-wide counting', denied: deniedError('CPU-wide counting (-a, -C)', capabilities) });
  }
  try {
    const t0 = process.hrtime.bigint();
    const t = intervals(o, o.events, () => sets.refused, hooks, t0);
    t.start(() => sets.read());
    let exit: SessionResult['exit'] = null;
    if (argv.length > 0) {
      exit = await new Promise((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
        child.once('error', (e) => reject(new PerfcompatError('ERR_INVALID_ARGUMENT', `probe stat: cannot run ${argv[0]}: ${e.message}`)));
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
    } else {
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (o.pids !== undefined && o.pids.every((p) => !processAlive(p))) { clearInterval(poll); resolve(); }
        }, POLL_MS);
        void sig.wait.then(() => { clearInterval(poll); resolve(); });
      });
    }
    const elapsedNs = Number(process.hrtime.bigint() - t0);
    const values = sets.read();
    t.finish(values);
    const first = sets.sets[0]!;
    return {
      rows: rowsOf(o.events, values, sets.refused), elapsedNs: [elapsedNs], splits: [...first.splits], adaptations: first.adaptations,
      exit, interrupted: sig.hit,
    };
  } finally {
    sets.close();
  }
}

/**
 * The targets probe stat counts besides a command it starts: every thread of
 * running processes (-p, one EventSet per /proc/PID/task entry, as perf
 * attaches) and CPUs (-a, -C: one EventSet per CPU, pid -1). The sets read
 * as one: per-thread and per-CPU values are summed, as perf aggregates. An
 * event the kernel refuses is skipped (not supported) on every set.
 */
import { PerfcompatError } from '../../errors';
import type { CapabilityMap } from '../../model/capability-map';
import type { EventSet, EventValue, Policy } from '../../shim';
import type { RefusedEvent } from './rows';
import { sumValues } from './rows';

export interface TargetSets {
  sets: EventSet[];
  refused: RefusedEvent[];
  read(): EventValue[];
  close(): void;
}

type EventSetClass = typeof EventSet;

function refusal(err: unknown): boolean {
  return err instanceof PerfcompatError && (err.code === 'ERR_KERNEL' || err.code === 'ERR_ADAPTATION_REFUSED');
}

function gone(err: unknown): boolean {
  return err instanceof PerfcompatError && err.errnoName === 'ESRCH';
}

function isDenied(err: unknown): boolean {
  return err instanceof PerfcompatError && (err.errnoName === 'EACCES' || err.errnoName === 'EPERM');
}

/** Open `events` on each (pid, cpu) target; refusals are decided on the first target, applied to all. */
export function openTargets(
  ES: EventSetClass, targets: readonly { pid: number; cpu: number }[], events: readonly string[],
  o: { capabilities: CapabilityMap; policy: Policy; what: string; denied: (err: PerfcompatError) => Error },
): TargetSets {
  const sets: EventSet[] = [];
  const refused: RefusedEvent[] = [];
  const close = (): void => { for (const s of sets) s.close(); };
  try {
    for (const t of targets) {
      const set = new ES({ pid: t.pid, cpu: t.cpu, inherit: t.pid !== -1, capabilities: o.capabilities, policy: o.policy });
      sets.push(set);
      try {
        events.forEach((e, index) => {
          if (refused.some((r) => r.index === index)) return;
          try {
            set.add(e);
          } catch (err) {
            if (isDenied(err)) throw o.denied(err as PerfcompatError);
            if (sets.length > 1 || !refusal(err) || gone(err)) throw err;
            refused.push({ event: e, index, error: err as Error });
          }
        });
      } catch (err) {
        // A thread that exited between the listing and the open is skipped; the rest of the process is counted.
        if (!gone(err) || t.pid === -1) throw err;
        set.close();
        sets.pop();
      }
    }
    if (sets.length === 0) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `probe stat: ${o.what} has no thread left to count (it exited)`);
  } catch (err) {
    close();
    throw err;
  }
  for (const s of sets) if (s.size > 0) s.start();
  return {
    sets, refused, close,
    read: () => sumValues(sets.filter((s) => s.size > 0).map((s) => s.readValues())),
  };
}

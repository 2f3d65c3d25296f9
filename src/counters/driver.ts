/**
 * Opens the provider's events through the shim's public EventSet (one set
 * for the calling thread, or one per thread of the process) and drives each
 * round by enabling and disabling the group LEADERS only.
 *
 * Why the leaders only: members are opened enabled (disabled = 0) under a
 * disabled leader, so they run exactly when their leader does. Toggling the
 * whole group with PERF_IOC_FLAG_GROUP (EventSet.start/stop) turns members
 * OFF and on again one by one, and on kernels that reschedule only the
 * enabled event's own PMU context (6.12+ here) a software member of a
 * software leader of another PMU (task-clock under cpu-clock) is marked
 * enabled but never put back on: it counts only when the task happens to be
 * rescheduled, and a group read shows the leader's times, not its own.
 * Counts are taken as differences of raw reads around each round, so no
 * RESET is needed either.
 */
import { threadsOf } from '../env/proc-tasks';
import { PerfcompatError } from '../errors';
import type { EventSet, EventSetOptions } from '../shim/event-set';
import type { PerfEvent } from '../shim/perf-event';
import type { EventValue } from '../shim/types';
import type { CountersOptions, MissingEvent } from './types';

type EventSetModule = typeof import('../shim/event-set');
let eventSetModule: EventSetModule | undefined;

/** The shim, loaded on first use: requiring the counters entry costs a few modules, counting loads the rest. */
function shim(): EventSetModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (eventSetModule ??= require('../shim/event-set') as EventSetModule);
}

export interface CountedEvent {
  /** Key in the report: the counted name (a stand-in's own), made unique. */
  key: string;
  name: string;
  requested: string;
  standInFor?: string;
  unit?: string;
  adaptations: string[];
}

interface TaskSet {
  tid: number;
  set: EventSet;
  leaders: PerfEvent[];
  before: EventValue[];
}

/** The deltas of one round: per opened event, the scaled count (undefined when it did not count) and whether it was multiplexed. */
export interface RoundCounts {
  values: (number | undefined)[];
  multiplexed: boolean[];
  /** Wall time from just before the first enable to just after the last disable. */
  elapsedNs: number;
}

function setOptions(opts: CountersOptions, tid: number): EventSetOptions {
  const o: EventSetOptions = {};
  if (opts.kernel) o.kernel = opts.kernel;
  if (opts.capabilities) o.capabilities = opts.capabilities;
  if (opts.environment) o.environment = opts.environment;
  if (opts.uname) o.uname = opts.uname;
  const policy = { ...(opts.standIns ? { fallback: 'software' as const } : {}), ...(opts.strict ? { strict: true } : {}) };
  if (Object.keys(policy).length > 0) o.policy = policy;
  if (tid !== 0) {
    o.pid = tid;
    o.inherit = true;
  }
  return o;
}

/** The threads of this process now, from /proc/self/task. */
export function processThreads(): number[] {
  return threadsOf('self');
}

function leadersOf(set: EventSet): PerfEvent[] {
  const seen = new Set<number>();
  const out: PerfEvent[] = [];
  set.readValues().forEach((v, i) => {
    if (!seen.has(v.group)) { seen.add(v.group); out.push(set.events[i]!); }
  });
  return out;
}

function messageOf(err: unknown): { reason: string; code?: string } {
  if (err instanceof PerfcompatError) return { reason: err.message, code: err.code };
  return { reason: err instanceof Error ? err.message : String(err) };
}

export class Driver {
  readonly events: CountedEvent[] = [];
  readonly missing: MissingEvent[] = [];
  private readonly sets: TaskSet[] = [];
  private t0 = 0n;

  constructor(names: readonly string[], opts: CountersOptions) {
    const scope = opts.scope ?? 'thread';
    const tids = scope === 'process' ? [...(opts.threads ?? processThreads)()] : [0];
    if (tids.length === 0) throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'counters: scope "process" found no thread to count');
    const { EventSet } = shim();
    try {
      const first = new EventSet(setOptions(opts, tids[0]!));
      const accepted: string[] = [];
      for (const requested of names) {
        try {
          first.add(requested);
        } catch (err) {
          this.missing.push({ name: requested, ...messageOf(err) });
          continue;
        }
        accepted.push(requested);
        const ev = first.events[first.events.length - 1]!;
        this.events.push(this.describe(ev, requested));
      }
      this.adopt(tids[0]!, first);
      for (const tid of tids.slice(1)) {
        const set = new EventSet(setOptions(opts, tid));
        try {
          for (const requested of accepted) set.add(requested);
          this.adopt(tid, set);
        } catch {
          set.close(); // the thread exited between the listing and the open: nothing of it to count
        }
      }
    } catch (err) {
      this.close();
      throw err;
    }
  }

  private describe(ev: PerfEvent, requested: string): CountedEvent {
    // A stand-in is keyed as what it is, never as the event it replaces (nor as the real event of its own name).
    const base = ev.substitutedFrom !== undefined ? `${ev.name} (standing in for ${ev.substitutedFrom})` : ev.name;
    let key = base;
    for (let n = 2; this.events.some((e) => e.key === key); n++) key = `${base}#${n}`;
    const d: CountedEvent = { key, name: ev.name, requested, adaptations: ev.adaptations.map((a) => `${a.what}: ${a.why}`) };
    if (ev.substitutedFrom !== undefined) d.standInFor = ev.substitutedFrom;
    if (ev.unit !== undefined) d.unit = ev.unit;
    return d;
  }

  private adopt(tid: number, set: EventSet): void {
    if (set.size === 0) { set.close(); return; }
    this.sets.push({ tid, set, leaders: leadersOf(set), before: [] });
  }

  /** Threads with open events. */
  get threads(): number { return this.sets.length; }

  /** Read the starting counts, then enable every group leader. */
  begin(): void {
    for (const s of this.sets) s.before = s.set.readValues();
    this.t0 = process.hrtime.bigint();
    for (const s of this.sets) for (const l of s.leaders) l.enable(false);
  }

  /** Disable every group leader, then read: the round's deltas, summed over threads. */
  end(): RoundCounts {
    for (const s of this.sets) for (const l of s.leaders) l.disable(false);
    const elapsedNs = Number(process.hrtime.bigint() - this.t0);
    const n = this.events.length;
    const values: (number | undefined)[] = new Array(n).fill(undefined);
    const multiplexed: boolean[] = new Array(n).fill(false);
    for (const s of this.sets) {
      const now = s.set.readValues();
      for (let i = 0; i < n; i++) {
        const a = s.before[i]!;
        const b = now[i]!;
        const enabled = b.timeEnabled - a.timeEnabled;
        const running = b.timeRunning - a.timeRunning;
        const value = b.value - a.value;
        if (running <= 0n) {
          // A thread that did not run at all this round (enabled 0 too) had nothing to count: a true 0.
          if (enabled <= 0n) values[i] = (values[i] ?? 0) + Number(value);
          continue;
        }
        if (running < enabled) multiplexed[i] = true;
        values[i] = (values[i] ?? 0) + (running >= enabled ? Number(value) : Number(value) * (Number(enabled) / Number(running)));
      }
    }
    return { values, multiplexed, elapsedNs };
  }

  close(): void {
    for (const s of this.sets) s.set.close();
    this.sets.length = 0;
  }
}

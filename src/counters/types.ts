/**
 * The counters provider's public types. Everything a provider returns is
 * plain JSON: numbers (never BigInt), strings, booleans, arrays and objects,
 * so `JSON.stringify(provider.values())` is the whole report.
 */
import type { CapabilityMap, Environment, Uname } from '../model/capability-map';
import type { Kernel } from '../sys/kernel';

export interface CountersOptions {
  /** Event names (perf syntax: cycles, instructions, task-clock, cpu-clock:u, …). Default DEFAULT_EVENTS. */
  events?: readonly string[];
  /**
   * 'thread' (default): the thread that calls before()/after().
   * 'process': every thread of this process that exists at init() (one event
   * set per thread of /proc/self/task, as perf does for -p), each with
   * inherit, so threads they start later are counted too.
   */
  scope?: 'thread' | 'process';
  /**
   * Count a documented software stand-in where a hardware event has no PMU
   * here. A stand-in is reported under its own name (cpu-clock, with
   * `standInFor: 'cycles'`), never as the event it replaces. Default false.
   */
  standIns?: boolean;
  /** Refuse every adaptation that changes what is measured (the shim's strict policy). */
  strict?: boolean;
  /** Another kernel (a simulator) and its map; default the real kernel. */
  kernel?: Kernel;
  capabilities?: CapabilityMap;
  environment?: Environment;
  uname?: Uname;
  /** Threads to count in 'process' scope; default the entries of /proc/self/task. */
  threads?: () => readonly number[];
}

/** min, max and mean over the rounds an event counted in, and their total. */
export interface Stat {
  min: number;
  max: number;
  mean: number;
  total: number;
}

export interface EventReport {
  /** The event that counted (a stand-in's own name). */
  name: string;
  /** The name that was asked for. */
  requested: string;
  /** Set when this is a software stand-in: the hardware event it stands in for (it is NOT that event). */
  standInFor?: string;
  unit?: string;
  /** Rounds the event counted in (time_running > 0). */
  rounds: number;
  /** Rounds it was enabled but never on the PMU (time_running 0): not counted, left out of the stats. */
  uncountedRounds: number;
  /** Rounds in which it ran only part of the time: values scaled by enabled/running. */
  multiplexedRounds: number;
  /** Per round, as counted. */
  raw: Stat;
  /** Per round divided by that round's iterations. */
  perIteration: Stat;
  /** What the shim changed to open it on this kernel, one line each. */
  adaptations: string[];
}

export interface MissingEvent {
  name: string;
  /** Why there is no count: never a zero. */
  reason: string;
  code?: string;
}

export interface DerivedReport {
  /** The ratio of the totals. */
  value: number;
  /** The ratio per round, over the rounds both events counted in. */
  perRound: Stat;
  /** What it is made of. */
  from: [string, string];
}

export interface CountersValues {
  scope: 'thread' | 'process';
  rounds: number;
  iterations: number;
  /** Threads counted (1 in thread scope). */
  threads: number;
  /** Wall time of each round, in ns (between the enable and the disable). */
  elapsedNs: Stat;
  events: Record<string, EventReport>;
  missing: Record<string, MissingEvent>;
  /** ipc = instructions / cycles, cpusUtilized = task-clock / elapsed: only where both counted (never from a stand-in). */
  derived: { ipc?: DerivedReport; cpusUtilized?: DerivedReport };
}

export type Availability =
  | { ok: true; events: Record<string, { ok: true; name: string; standInFor?: string }> }
  | { ok: false; reason: string; code?: string; events: Record<string, { ok: boolean; name?: string; reason?: string; standInFor?: string }> };

/** The events a provider counts when none are named. */
export const DEFAULT_EVENTS: readonly string[] = ['cycles', 'instructions', 'branches', 'branch-misses', 'cache-references', 'cache-misses', 'task-clock'];

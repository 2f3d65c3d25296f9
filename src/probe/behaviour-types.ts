/**
 * The shape of a behaviour check: a declaration (data) with optional small
 * hooks. A check opens events, enables them, does a known amount of work,
 * reads and judges the numbers. Its answer is a FeatureEntry under
 * `behaviour.<name>`, whose status adds `broken` (accepted, behaviour wrong)
 * to the usual classification.
 *
 * The same format is what users put in `probe test --cases <dir>`: a .json
 * file holding a declaration (or an array of them), or a .js file whose
 * module.exports is one (or an array) — hooks are only possible in .js.
 */
import type { FeatureEntry, FeatureStatus } from '../model/capability-map';
import type { AttrInput, DecodedAttr } from '../abi/attr-codec';
import type { ReadResult } from '../abi/read-format';
import type { Mapping, Kernel } from '../sys/kernel';
import type { CapabilityMap } from '../model/capability-map';
import type { StoppedChild } from './behaviour-child';
import type { RingHeaders } from './behaviour-ring';

export type { RingHeaders, StoppedChild };

/** An event to open: attr fields by uapi name; type and config may be names. */
export interface EventDecl {
  /** 'hardware' | 'software' | 'tracepoint' | 'hw_cache' | 'raw' | 'breakpoint', or the numeric type. */
  type: string | number;
  /** For hardware/software: the short name (e.g. 'task_clock', 'cpu_cycles', 'page_faults'), or a number. */
  config: string | number | bigint;
  /** Any further perf_event_attr fields or flags by uapi name (e.g. exclude_kernel: 1). */
  [field: string]: string | number | bigint | boolean | undefined;
}

/**
 * Work done between enable and disable, each kind measured:
 * iterations  run a fixed busy loop this many times (the same work on every
 *           run, whatever the CPU accounting's granularity; a VM may account
 *           CPU time by ticks, so cpu_ms can overshoot by several ms)
 * cpu_ms    busy loop on the calling thread until that thread has used this
 *           much CPU time (the same work however loaded the machine is; where
 *           the kernel seam has no thread clock, the process's CPU time)
 * spin_ms   busy loop on the calling thread for this many wall milliseconds
 * touch_pages  allocate and write this many fresh pages (minor page faults)
 * exec      run this argv to completion as a child (counts with inherit only)
 */
export interface WorkDecl {
  iterations?: number;
  cpu_ms?: number;
  spin_ms?: number;
  touch_pages?: number;
  exec?: string[];
}

/** What the work measured, the variables expectations may name. */
export interface WorkResult {
  /** Wall nanoseconds from enable to disable. */
  wallNs: number;
  /**
   * CPU nanoseconds the calling thread used doing the work (user + system):
   * what a task clock on pid 0 counts. Falls back to the process's CPU time
   * where the kernel seam has no thread clock (then GC threads count too).
   */
  cpuNs: number;
  /** Pages touched. */
  pages: number;
  /** Children run to completion. */
  children: number;
}

/**
 * A bound on one event's value after the work. min/max are numbers or
 * "<factor>*<variable>" / "<variable>" with a WorkResult variable, e.g.
 * "0.9*pages" or "wallNs".
 */
export interface Expectation {
  /** Index into `events`. */
  event: number;
  min?: number | string;
  max?: number | string;
  /** Judge value * time_enabled / time_running instead of the raw value. */
  scaled?: boolean;
}

/** A check's answer. */
export interface Verdict {
  status: FeatureStatus;
  reason?: string;
  measured?: Record<string, number | string | boolean>;
  value?: number | string | boolean;
  errno?: number;
  errnoName?: string;
}

export interface BehaviourCheck {
  /** Short name; the feature id is `behaviour.<name>`. Lower case, digits and _ only. */
  name: string;
  /** One line for the `probe test` list. */
  description: string;
  /** Feature ids that must be supported first (when a capability map is given); otherwise Skip. */
  needs?: string[];
  /** Generic pipeline: the events to open (one group when `group` is true, leader first). */
  events?: EventDecl[];
  group?: boolean;
  work?: WorkDecl;
  expect?: Expectation[];
  /** Hook: replace the generic pipeline entirely. */
  run?(ctx: BehaviourCtx): Verdict;
}

/** One line of `probe test`. */
export interface BehaviourResult {
  id: string;
  name: string;
  description: string;
  outcome: 'ok' | 'failed' | 'skip';
  entry: FeatureEntry;
  /** Where the declaration came from: 'builtin' or a file path. */
  source: string;
}

export const BEHAVIOUR_PREFIX = 'behaviour.';

/** An event a check opened. */
export interface OpenedEvent {
  readonly fd: number;
  /** "software/task_clock" etc. */
  readonly label: string;
  readonly readFormat: bigint;
  /** Members including the leader, for a leader opened with PERF_FORMAT_GROUP. */
  members: number;
  readonly attr: DecodedAttr;
}

export interface BehaviourOpenOptions {
  pid?: number;
  cpu?: number;
  group?: OpenedEvent;
  /** Default: TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING | ID, plus GROUP for a leader opened with groupRead. */
  readFormat?: bigint;
  /** Open with PERF_FORMAT_GROUP (this event is to be a leader read as a group). */
  groupRead?: boolean;
  /** Default: true for a leader or a lone event, false for a group member (it follows its leader). */
  disabled?: boolean;
  /** Extra attr fields and flags on top of the declaration. */
  attr?: AttrInput;
}

export interface Ring {
  readonly mapping: Mapping;
  /** Count record headers written so far. */
  headers(): RingHeaders;
}

/**
 * The work a check counts, behind a seam (src/probe/workload.ts has the
 * real one): it does the declared work and says how its time and
 * iterations relate to the kernel's clocks.
 */
export interface Workload {
  /** Do the declared work; returns what it measured. */
  run(decl: WorkDecl): WorkResult;
  /**
   * Wall ns the counters saw between enable and disable, from what run()
   * returned and the real ns that passed around it.
   */
  spanNs(done: WorkResult, realNs: number): number;
  /** Iterations of work { iterations } that take about `ms`. */
  iterationsFor(ms: number): number;
  /** True when an iteration always costs the same (no calibration drift to correct). */
  readonly exact: boolean;
  /** Samples per second the kernel allows, or undefined when unknown. */
  maxSampleRate(): number | undefined;
  /** Why this workload runs no child processes; undefined when it can. */
  readonly cannotExec?: string;
}

/**
 * What a check's hooks are handed: the surface BehaviourContext implements.
 * Declared here, below the context, so the declaration types never import
 * the class that runs them.
 */
export interface BehaviourCtx {
  readonly kernel: Kernel;
  readonly capabilities?: CapabilityMap;
  /** The work checks count (see ./workload). */
  readonly workload: Workload;
  open(ev: EventDecl, o?: BehaviourOpenOptions): OpenedEvent;
  tryOpen(ev: EventDecl, o?: BehaviourOpenOptions): OpenedEvent | Verdict;
  enable(ev: OpenedEvent, group?: boolean): void;
  disable(ev: OpenedEvent, group?: boolean): void;
  reset(ev: OpenedEvent, group?: boolean): void;
  refresh(ev: OpenedEvent, n: number): void;
  period(ev: OpenedEvent, period: bigint): void;
  id(ev: OpenedEvent): bigint;
  read(ev: OpenedEvent): ReadResult;
  /** read(), or undefined where it gives 0 bytes: the event is in error state (a pinned event the PMU could not keep on). */
  readUnlessError(ev: OpenedEvent): ReadResult | undefined;
  ring(ev: OpenedEvent, dataPages?: number): Ring;
  readable(ev: OpenedEvent): boolean;
  work(decl?: WorkDecl): WorkResult;
  iterationsFor(ms: number): number;
  maxSampleRate(): number | undefined;
  stoppedChild(argv: readonly string[]): StoppedChild;
  /** How long StoppedChild.waitExit() waits by default before it gives up (and the child is killed). */
  readonly childExitTimeoutMs: number;
  /** A small CPU-bound program for children (work { exec } or stoppedChild): the shell counting to n. */
  shellSpin(n: number): string[];
  dispose(): void;
  ok(measured?: Verdict['measured'], value?: Verdict['value']): Verdict;
  broken(reason: string, measured?: Verdict['measured']): Verdict;
  errnoName(errno: number): string;
}

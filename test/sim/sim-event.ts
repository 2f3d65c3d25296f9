/**
 * The state of one simulated perf event: its decoded attr, group, counts and
 * times, and its ring buffer. Pure data plus small helpers; SimKernel drives it.
 */
import type { DecodedAttr } from '../../src/abi';

export type EventKind = 'hardware' | 'software' | 'tracepoint' | 'hw_cache' | 'raw' | 'breakpoint' | 'pmu';

export interface SimRing {
  /** The shared mapping the user sees (control page + data pages). */
  buffer: ArrayBuffer;
  address: bigint;
  length: number;
  dataPages: number;
  writable: boolean;
  /** Samples not written because the buffer was full or paused, not yet reported. */
  pendingLost: number;
  /** PERF_EVENT_IOC_PAUSE_OUTPUT(1): records are dropped (and counted lost) until resumed. */
  paused: boolean;
  /** write_backward: records are written downwards from data_head, overwriting the oldest. */
  backward: boolean;
}

export interface SimEvent {
  fd: number;
  id: bigint;
  attr: DecodedAttr;
  kind: EventKind;
  /** Name of the event within its kind (cpu_cycles, cpu_clock, sched:sched_switch, …). */
  eventName: string;
  /** The PMU that schedules it ('software' for software, tracepoint, breakpoint). */
  pmu: string;
  pid: number;
  cpu: number;
  leader: SimEvent;
  siblings: SimEvent[];
  enabled: boolean;
  /** Waiting for exec() to enable (enable_on_exec). */
  enableOnExec: boolean;
  /** A pinned group that could not be scheduled: read() returns 0 bytes. */
  errorState: boolean;
  count: number;
  timeEnabled: number;
  timeRunning: number;
  /** Fraction of the period the event counts (work since the last sample). */
  sinceSample: number;
  samplePeriod: bigint;
  cloexec: boolean;
  ring?: SimRing;
  /** set_output target fd. */
  outputTo?: number;
  refreshLimit?: number;
  /** Samples this event lost (PERF_FORMAT_LOST). */
  lostSamples: number;
  filter?: string;
  /** Asked for user-space counter reads and got them (PERF_EVENT_FLAG_USER_READ_CNT): cap_user_rdpmc in its control page. */
  userRead?: boolean;
  /** The control page's index: the counter it is on when user reads are allowed, else 0. */
  userIndex?: number;
}

/** Events counted per nanosecond of simulated work. */
export const RATES: Readonly<Record<string, number>> = {
  'hardware.cpu_cycles': 3,
  'hardware.instructions': 2,
  'hardware.cache_references': 0.05,
  'hardware.cache_misses': 0.01,
  'hardware.branch_instructions': 0.4,
  'hardware.branch_misses': 0.01,
  'hardware.bus_cycles': 0.1,
  'hardware.stalled_cycles_frontend': 0.5,
  'hardware.stalled_cycles_backend': 0.3,
  'hardware.ref_cpu_cycles': 2.5,
  'software.cpu_clock': 1,
  'software.task_clock': 1,
  'software.page_faults': 1e-5,
  'software.context_switches': 1e-6,
  'software.cpu_migrations': 1e-7,
  'software.page_faults_min': 1e-5,
  'software.page_faults_maj': 0,
  'software.alignment_faults': 0,
  'software.emulation_faults': 0,
  'software.dummy': 0,
  'software.bpf_output': 0,
  'software.cgroup_switches': 1e-7,
};

export function rateOf(ev: SimEvent, neverCounts: readonly string[] = []): number {
  if (ev.kind === 'hardware' && neverCounts.includes(ev.eventName)) return 0;
  if (ev.kind === 'hardware' || ev.kind === 'software') return RATES[`${ev.kind}.${ev.eventName}`] ?? 0;
  if (ev.kind === 'hw_cache') return 0.02;
  if (ev.kind === 'raw') return 1;
  if (ev.kind === 'tracepoint') return 1e-6;
  if (ev.kind === 'pmu') return 0.001;
  return 0;
}

export function groupOf(ev: SimEvent): SimEvent[] {
  return [ev.leader, ...ev.leader.siblings];
}

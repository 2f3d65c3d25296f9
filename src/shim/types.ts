/**
 * The shim's public types: what a caller asks for (EventSpec, Policy,
 * OpenOptions) and what it gets told (Adaptation, CounterValue).
 */
import type { Kernel } from '../sys/kernel';
import type { CapabilityMap, Environment } from '../model/capability-map';
import type { Uname } from '../model/capability-map';

/**
 * Where the shim's capability map comes from: `capabilities` when given, else
 * the engine's map of `kernel` (default the real one). Another kernel comes
 * with its environment and uname (`{ kernel, environment, uname }`), so its
 * map and error messages describe it, not the machine the code runs on.
 */
export interface MapSource {
  kernel?: Kernel;
  /** The capability map to adapt to; default: the engine's map of `kernel`. */
  capabilities?: CapabilityMap;
  /** The kernel's box (PMUs, paranoid, seccomp…), when the engine must probe `kernel` itself. */
  environment?: Environment;
  /** The kernel's uname, when the engine must probe `kernel` itself. */
  uname?: Uname;
}

/**
 * A typed event: perf_event_attr fields by uapi name (type, config, config1…,
 * sample_type, read_format, branch_sample_type as bit masks) and flag bits by
 * name (exclude_kernel: 1, precise_ip: 2, …). `name` is a label for messages.
 */
export interface EventSpec {
  type: number;
  config?: number | bigint;
  name?: string;
  [field: string]: number | bigint | boolean | string | undefined;
}

export interface Policy {
  /** Refuse every adaptation that changes what is measured; the error names the one needed. */
  strict?: boolean;
  /** 'software': count a documented software stand-in when a hardware event has no PMU here. */
  fallback?: 'none' | 'software';
  /** Allow precise_ip to be lowered to 0 when no precise level works (non-zero levels are lowered without asking). */
  allowPreciseDowngrade?: boolean;
}

export interface OpenOptions extends MapSource {
  /** Task to count: 0 = this process (default), -1 = every task on `cpu`. */
  pid?: number;
  /** CPU to count on: -1 = any (default). */
  cpu?: number;
  /** Leader of the group this event joins. */
  group?: { readonly fd: number };
  policy?: Policy;
}

/** One change the shim made to what was asked, and why. */
export interface Adaptation {
  what: string;
  why: string;
  /** The capability-map entry that decided it. */
  featureId?: string;
  /** errno of that entry's deciding answer. */
  errno?: number;
  errnoName?: string;
  /** false for changes of mechanism only (close-on-exec through fcntl); strict policy allows these. */
  changesMeasurement?: boolean;
}

/** A counter reading. */
export interface CounterValue {
  /** Raw count as the kernel returned it. */
  value: bigint;
  timeEnabled: bigint;
  timeRunning: bigint;
  /** value * enabled / running when multiplexed, else value; 0n when the event never ran. */
  scaled: bigint;
  /** true when the event was on the PMU for less time than it was enabled. */
  multiplexed: boolean;
  /** false when the event was enabled but never scheduled (time_running 0). */
  counted: boolean;
  /** Lost samples (PERF_FORMAT_LOST), where the kernel supports it. */
  lost?: bigint;
}

export type ReadPath = 'group' | 'per-event';

export interface EventValue extends CounterValue {
  name: string;
  /** Index of the group the event was scheduled in. */
  group: number;
  substitutedFrom?: string;
  unit?: string;
  /** Set when `counted` is false: why there is no count (the event was enabled but never on the PMU). `scaled` is then 0n and means nothing. */
  notCounted?: string;
}

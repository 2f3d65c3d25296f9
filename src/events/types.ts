/**
 * The public shapes of event-name resolution: options, a resolved event
 * (attr fields ready for encodeAttr) and a listing entry.
 */
import type { CapabilityMap, Environment, FeatureStatus } from '../model/capability-map';
import type { Kernel } from '../sys/kernel';

export interface EventNameOptions {
  /** sysfs event_source root; default /sys/bus/event_source/devices. */
  sysfsRoot?: string;
  /** tracefs root; default the first of /sys/kernel/tracing, /sys/kernel/debug/tracing that is usable. */
  tracefsRoot?: string;
  /** When given, modifiers are checked against it (:k vs access.kernel, :p vs combo.precise_ip, …). */
  capabilities?: CapabilityMap;
  /**
   * The machine names resolve for: its PMUs (types, formats, events) and its
   * tracefs come from this description, and this machine's sysfs is not read.
   * Default: the environment of `capabilities` when that map is not of this
   * boot of this machine (a --from dump, a simulated kernel); else, or with
   * `sysfsRoot`, the sysfs tree.
   */
  environment?: Environment;
  /** Re-read the sysfs PMU files instead of using those read earlier under the same PMU list. */
  refresh?: boolean;
}

/**
 * One group of parseEventList: its events, leader first. `weak` is set for a
 * group written `{…}:W` (perf's weak group: a caller that opens the group
 * itself splits it into single events when the kernel cannot schedule it
 * whole, as perf's evlist__reset_weak_group does); W sets no attr bit.
 */
export type ResolvedGroup = ResolvedEvent[] & { readonly weak?: true };

export interface ResolvedEvent {
  /** The text this event came from (one event of a list, with its modifiers). */
  input: string;
  /** Canonical name: perf's spelling, or the name= term. */
  name: string;
  /** PMU that counts it: 'software', 'tracepoint', 'breakpoint', a sysfs PMU, or 'hardware' when no core PMU is known. */
  pmu: string;
  /** perf_event_attr fields by uapi name, ready for encodeAttr. */
  attr: Record<string, number | bigint>;
  /** Multiply counts by this (events/<alias>.scale). */
  scale?: number;
  /** Unit of the scaled count (events/<alias>.unit). */
  unit?: string;
  /** Modifier letters applied (event's own, then its group's). */
  modifiers: string;
  /**
   * The PMU's sysfs cpumask, when it has one (uncore and other CPU-wide PMUs):
   * the CPUs to open it on, with pid -1. Absent for per-task-capable PMUs.
   */
  cpus?: number[];
}

export type EventKind = 'hardware' | 'software' | 'hw_cache' | 'pmu' | 'tracepoint' | 'breakpoint' | 'raw';

export interface EventListing {
  name: string;
  pmu: string;
  kind: EventKind;
  /** Present when capabilities or a kernel were given. */
  status?: FeatureStatus;
  errnoName?: string;
}

export interface EventListOptions extends EventNameOptions {
  /** Open each listed event on this kernel and classify the answer. */
  kernel?: Kernel;
  /** Only names matching this glob (* ? [..]) or, without glob characters, containing it (case-insensitive). */
  pattern?: string;
}

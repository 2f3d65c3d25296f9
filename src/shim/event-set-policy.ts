/**
 * What an EventSet does on a kernel, decided once from the capability map and
 * the behaviour answers: the read path (one PERF_FORMAT_GROUP read per group,
 * or one read per event), the group size limit, read_format, whether hardware
 * and software events share groups, and the work-arounds for broken RESET or
 * group ioctls. Pure: the same map, answers and options give the same policy.
 *
 * Behaviour answers are an explicit lookup (id → entry, or undefined when the
 * check did not run). An unknown answer means "assume the kernel honours what
 * it accepts": the policy never guesses from what a cache happens to hold.
 */
import { PERF_FORMAT } from '../abi/constants';
import type { CapabilityMap, FeatureEntry } from '../model/capability-map';
import { entry, isMissing, isSupported, numericValue } from './map-lookup';
import type { ReadPath } from './types';

export type { ReadPath };

/** Behaviour answers by id (behaviour.group_read …); undefined when that check did not run. */
export type BehaviourLookup = (id: string) => FeatureEntry | undefined;

export interface EventSetPolicyOptions {
  pid?: number;
  inherit?: boolean;
}

export interface EventSetPolicy {
  readPath: ReadPath;
  readPathReason: string;
  /** Hardware events scheduled together at most (measured with cycles repeated), or undefined when the map does not say. */
  groupLimit: number | undefined;
  /**
   * Of those, events other than cycles at most (the general-purpose counters:
   * cycles may also use counters only it may use, x86's fixed counter or arm's
   * cycle counter); undefined when the map does not say (then groupLimit).
   */
  generalLimit: number | undefined;
  readFormat: bigint;
  withLost: boolean;
  mixHwSw: boolean;
  /** behaviour.ioctl_reset broken: zeroing is emulated by subtracting the counts at the last reset. */
  resetEmulated: boolean;
  /**
   * behaviour.ioctl_flag_group broken: reset each event on its own instead of
   * the group. (Enable and disable never use PERF_IOC_FLAG_GROUP: members are
   * opened enabled under a disabled leader and toggling the leader alone
   * starts and stops the whole group, as perf and PAPI do.)
   */
  perEventIoctl: boolean;
  /** The work-arounds taken, one line each. */
  reasons: string[];
  /** Every map or behaviour id the policy consulted. */
  featureIds: EventSetFeatureId[];
  /** What the policy decided for each id it consulted and why, one line each (what `probe explain` prints). */
  why: Record<EventSetFeatureId, string>;
}

/** The map and behaviour ids an EventSet's policy consults. */
export const EVENT_SET_FEATURE_IDS = [
  'read_format.group', 'behaviour.group_read', 'combo.inherit_group_read', 'behaviour.group_read_after_exit', 'read_format.lost',
  'combo.group_schedulability', 'behaviour.schedulability', 'combo.hw_sw_group', 'behaviour.ioctl_reset', 'behaviour.ioctl_flag_group',
] as const;
export type EventSetFeatureId = (typeof EVENT_SET_FEATURE_IDS)[number];

const TIMES = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;

/** No behaviour answers: every check unknown. */
export const NO_BEHAVIOUR: BehaviourLookup = () => undefined;

/** The behaviour answers a map carries itself (a map from getCapabilities({ behaviour: true }) or one built by hand). */
export function behaviourOfMap(map: CapabilityMap | undefined): BehaviourLookup {
  return (id) => (id.startsWith('behaviour.') ? entry(map, id) : undefined);
}

function readPathOf(m: CapabilityMap | undefined, b: BehaviourLookup, opts: EventSetPolicyOptions): { readPath: ReadPath; readPathReason: string } {
  const groupRead = b('behaviour.group_read');
  if (isMissing(m, 'read_format.group')) {
    return { readPath: 'per-event', readPathReason: 'PERF_FORMAT_GROUP is not supported here (read_format.group)' };
  }
  if (groupRead?.status === 'broken') {
    return { readPath: 'per-event', readPathReason: `PERF_FORMAT_GROUP reads are broken here (behaviour.group_read: ${groupRead.reason ?? 'broken'})` };
  }
  if (opts.inherit && isMissing(m, 'combo.inherit_group_read')) {
    return { readPath: 'per-event', readPathReason: 'inherited events cannot be read as a group here (combo.inherit_group_read)' };
  }
  if (opts.pid !== undefined && opts.pid > 0 && b('behaviour.group_read_after_exit')?.status === 'broken') {
    return { readPath: 'per-event', readPathReason: 'a group read of a task that has exited is wrong here (behaviour.group_read_after_exit)' };
  }
  return {
    readPath: 'group',
    readPathReason: isSupported(m, 'read_format.group') ? 'PERF_FORMAT_GROUP works here (read_format.group)' : 'PERF_FORMAT_GROUP assumed (no capability map)',
  };
}

function numeric(e: FeatureEntry | undefined): number | undefined {
  const v = e?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The policy of an EventSet over `map` with behaviour answers `behaviour`. Pure. */
export function eventSetPolicy(map: CapabilityMap | undefined, behaviour: BehaviourLookup, opts: EventSetPolicyOptions = {}): EventSetPolicy {
  const { readPath, readPathReason } = readPathOf(map, behaviour, opts);
  const withLost = isSupported(map, 'read_format.lost');
  const readFormat = TIMES | (withLost ? PERF_FORMAT.LOST : 0n) | (readPath === 'group' ? PERF_FORMAT.GROUP : 0n);
  const limits = [numericValue(map, 'combo.group_schedulability'), numeric(behaviour('behaviour.schedulability'))].filter((v): v is number => v !== undefined);
  const groupLimit = limits.length > 0 ? Math.max(1, Math.min(...limits)) : undefined;
  const gpLimits = [entry(map, 'combo.group_schedulability'), behaviour('behaviour.schedulability')]
    .map((e) => e?.measured?.generalPurpose).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const generalLimit = groupLimit === undefined ? undefined : gpLimits.length > 0 ? Math.max(1, Math.min(groupLimit, ...gpLimits)) : groupLimit;
  const mixHwSw = !isMissing(map, 'combo.hw_sw_group');
  const resetEmulated = behaviour('behaviour.ioctl_reset')?.status === 'broken';
  const perEventIoctl = behaviour('behaviour.ioctl_flag_group')?.status === 'broken';
  const reset = resetEmulated
    ? 'RESET does not zero counters here (behaviour.ioctl_reset): EventSet emulates RESET, taking counts relative to the last start/reset/accum'
    : 'counters are zeroed with PERF_EVENT_IOC_RESET (behaviour.ioctl_reset not known to be broken)';
  const fg = behaviour('behaviour.ioctl_flag_group');
  const toggle = 'starts and stops each group by enabling and disabling its leader alone (no PERF_IOC_FLAG_GROUP: members are opened enabled under a disabled leader, so they run exactly when it does — perf\'s and PAPI\'s way; the group flag re-enables members one by one, and kernels that reschedule only the leader\'s PMU then leave a software member of another software PMU off)';
  const flagGroup = perEventIoctl
    ? `PERF_IOC_FLAG_GROUP is broken here (behaviour.ioctl_flag_group: ${fg?.reason ?? 'broken'}): the set ${toggle}, and resets every event on its own`
    : `${toggle}; resets each group with one PERF_IOC_FLAG_GROUP ioctl on its leader (behaviour.ioctl_flag_group not known to be broken)`;
  const reasons: string[] = [];
  if (resetEmulated) reasons.push(reset);
  if (perEventIoctl) reasons.push(flagGroup);
  const read = `reads ${readPath === 'group' ? 'each group with one read() of PERF_FORMAT_GROUP' : 'one read() per event'} (readPath "${readPath}"): ${readPathReason}`;
  const limit = groupLimit !== undefined
    ? `puts at most ${groupLimit} hardware events of one PMU in a group, at most ${generalLimit} of them other than cycles (the smaller of combo.group_schedulability and behaviour.schedulability, each measured with one event repeated: cycles, and a general-purpose event); more start a new group (set.splits) and are multiplexed, values scaled by enabled/running; a group the kernel refuses at open (validate_group) starts a new one too`
    : 'knows no group limit (combo.group_schedulability / behaviour.schedulability): hardware events of one PMU share one group';
  const why: Record<EventSetFeatureId, string> = {
    'read_format.group': read,
    'behaviour.group_read': read,
    'combo.inherit_group_read': read,
    'behaviour.group_read_after_exit': read,
    'read_format.lost': withLost ? 'values carry lost counts (PERF_FORMAT_LOST, read_format.lost)' : 'values carry no lost count: PERF_FORMAT_LOST is not supported here (read_format.lost)',
    'combo.group_schedulability': limit,
    'behaviour.schedulability': limit,
    'combo.hw_sw_group': mixHwSw
      ? 'lets software events join the hardware group, scheduled together (combo.hw_sw_group)'
      : 'gives software events their own group, apart from hardware events (combo.hw_sw_group)',
    'behaviour.ioctl_reset': reset,
    'behaviour.ioctl_flag_group': flagGroup,
  };
  return { readPath, readPathReason, groupLimit, generalLimit, readFormat, withLost, mixHwSw, resetEmulated, perEventIoctl, reasons, featureIds: [...EVENT_SET_FEATURE_IDS], why };
}

/** What pickGroup needs to know of a group. */
export interface GroupShape {
  /** Hardware PMU context of the group, or undefined while it holds only software events. */
  hwContext: string | undefined;
  hwCount: number;
  /** Hardware events of the group other than cycles (default 0). */
  gpCount?: number;
  members: { length: number };
}

/**
 * The group an event of `context` ('software' or a PMU) joins (-1: it starts
 * one, and `note` says why when it is a split); `general`: a hardware event
 * other than cycles, bound by the general-purpose limit too. Pure.
 */
export function pickGroup(
  groups: readonly GroupShape[], context: string, p: Pick<EventSetPolicy, 'groupLimit' | 'mixHwSw'> & { generalLimit?: number | undefined }, general = false,
): { index: number; note?: string } {
  const limit = p.groupLimit;
  const gpLimit = general ? p.generalLimit ?? limit : undefined;
  const isHw = context !== 'software';
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (!isHw) {
      if (g.hwContext === undefined || p.mixHwSw) return { index: i };
      continue;
    }
    if (g.hwContext !== undefined && g.hwContext !== context) continue;
    if (g.hwContext === undefined && g.members.length > 0 && !p.mixHwSw) continue;
    if (limit !== undefined && g.hwCount >= limit) continue;
    if (gpLimit !== undefined && (g.gpCount ?? 0) >= gpLimit) continue;
    return { index: i };
  }
  if (isHw && limit !== undefined && groups.some((g) => g.hwContext === context && g.hwCount >= limit)) {
    return { index: -1, note: `a group of ${context} events holds at most ${limit} that are scheduled together here (combo.group_schedulability / behaviour.schedulability)` };
  }
  if (isHw && gpLimit !== undefined && groups.some((g) => g.hwContext === context && (g.gpCount ?? 0) >= gpLimit)) {
    return { index: -1, note: `a group of ${context} events holds at most ${gpLimit} events other than cycles scheduled together here (the general-purpose counters; combo.group_schedulability / behaviour.schedulability measured.generalPurpose)` };
  }
  if (!isHw && !p.mixHwSw && groups.length > 0) return { index: -1, note: 'software events cannot join a hardware group here (combo.hw_sw_group)' };
  if (isHw && !p.mixHwSw && groups.length > 0) return { index: -1, note: 'hardware events cannot join a software group here (combo.hw_sw_group)' };
  return groups.length > 0 ? { index: -1, note: `events of ${context} cannot share a group with another PMU's events` } : { index: -1 };
}

/**
 * shimPathFor: one line saying which code path the shim takes for a feature
 * on a given capability map — what `probe explain` prints under "shim".
 */
import { PERF_FLAG, PERF_TYPE } from '../abi/constants';
import { errnoName } from '../abi/errno';
import { planOpen } from './adapt';
import type { EventSpec } from './types';
import type { CapabilityMap } from '../model/capability-map';
import { CLOEXEC_FEATURE, FALLBACKS, FallbackRule } from './fallbacks';
import { behaviourOfMap, EVENT_SET_FEATURE_IDS, eventSetPolicy, type EventSetFeatureId, type EventSetPolicyOptions } from './event-set-policy';
import { entry, isMissing, numericValue } from './map-lookup';
import { SOFTWARE_STANDINS } from './software-standins';

function status(map: CapabilityMap, id: string): string {
  const e = entry(map, id);
  if (!e) return 'not probed';
  return `${e.status}${e.errno !== undefined ? ` ${e.errnoName ?? errnoName(e.errno)}` : ''}`;
}

function ruleLine(rule: FallbackRule, map: CapabilityMap): string {
  if (!isMissing(map, rule.featureId)) return `used as asked (${status(map, rule.featureId)}); fallback if it were missing: ${rule.action} — ${rule.why}`;
  switch (rule.action) {
    case 'refuse': return `refused before the syscall (${status(map, rule.featureId)}): no fallback — ${rule.why}`;
    case 'drop': return `dropped from the attr when asked (${status(map, rule.featureId)}): ${rule.why}; recorded in event.adaptations`;
    case 'replace': return `replaced when asked (${status(map, rule.featureId)}): ${rule.why}; recorded in event.adaptations`;
  }
}

const ABI_PREFIXES = ['attr.', 'read_format.', 'sample_type.', 'branch_sample_type.'];

/** The options under which an EventSet consults `id`: inherited sets for inherit_group_read, a task for group_read_after_exit. */
function policyOptionsFor(id: EventSetFeatureId): EventSetPolicyOptions {
  if (id === 'combo.inherit_group_read') return { inherit: true };
  if (id === 'behaviour.group_read_after_exit') return { pid: 1 };
  return {};
}

function isEventSetId(id: string): id is EventSetFeatureId {
  return (EVENT_SET_FEATURE_IDS as readonly string[]).includes(id);
}

/** The EventSet's line for `id`: what eventSetPolicy decides on this map with the behaviour answers it carries. */
function eventSetLine(id: EventSetFeatureId, map: CapabilityMap): string {
  const p = eventSetPolicy(map, behaviourOfMap(map), policyOptionsFor(id));
  const scope = id === 'combo.inherit_group_read' ? ' (inherited counters, forCommand)' : id === 'behaviour.group_read_after_exit' ? ' (a task that may exit, forCommand)' : '';
  const line = `EventSet${scope}: ${p.why[id]} [${status(map, id)}]`;
  const rule = FALLBACKS.find((r) => r.featureId === id);
  return rule ? `${line}; openEvent: ${ruleLine(rule, map)}` : line;
}

/** A representative event: cpu-clock, which every kernel and map can open. */
const CPU_CLOCK: EventSpec = { type: PERF_TYPE.SOFTWARE, config: 0, name: 'cpu-clock' };

/** What planOpen does to a representative event on this map for `id`: its Adaptations' text, or what it used as asked. */
function planLine(id: 'attr.size' | typeof CLOEXEC_FEATURE | 'access.kernel', map: CapabilityMap): string {
  const plan = planOpen(CPU_CLOCK, { map });
  const made = plan.adaptations.filter((x) => x.featureId === id).map((x) => `${x.what} — ${x.why}`);
  if (made.length > 0) return `planOpen (cpu-clock): ${made.join('; ')}; recorded in event.adaptations`;
  if (id === 'attr.size') {
    return numericValue(map, id) !== undefined
      ? `planOpen (cpu-clock) encodes attrs at ${plan.size} bytes, the largest this kernel accepts; a field beyond byte ${plan.size} is refused with ERR_ATTR_BEYOND_SIZE naming it`
      : `no attr size in the map: planOpen encodes attrs at the smallest size version that holds the fields asked for (cpu-clock: ${plan.size} bytes)`;
  }
  if (id === CLOEXEC_FEATURE) return (plan.openFlags & PERF_FLAG.FD_CLOEXEC) !== 0 ? 'planOpen (cpu-clock) opens with PERF_FLAG_FD_CLOEXEC' : 'planOpen (cpu-clock) opens without PERF_FLAG_FD_CLOEXEC';
  return `kernel space is counted as asked (planOpen on cpu-clock sets no exclusion; ${status(map, id)})`;
}

export function shimPathFor(featureId: string, map: CapabilityMap): string | undefined {
  const id = featureId;
  if (isEventSetId(id)) return eventSetLine(id, map);
  if (id === 'attr.size' || id === CLOEXEC_FEATURE || id === 'access.kernel') return planLine(id, map);
  switch (id) {
    case 'combo.precise_ip': {
      const v = numericValue(map, id);
      return v !== undefined
        ? `precise_ip above ${v} is lowered to ${v}${v === 0 ? ' only with policy allowPreciseDowngrade, else refused' : ''} (recorded); strict policy refuses`
        : `precise_ip passed as asked (${status(map, id)})`;
    }
    case 'combo.exclude_guest': {
      const e = entry(map, id);
      if (isMissing(map, id)) return `exclude_guest is cleared on core-PMU events: the PMU refuses it (${status(map, id)})`;
      if (e?.value === 'required') return 'exclude_guest is set on core-PMU events: the PMU requires it';
      return 'exclude_guest passed as asked';
    }
    case 'combo.exclude_host':
      return isMissing(map, id) ? `exclude_host is cleared on core-PMU events (${status(map, id)})` : 'exclude_host passed as asked';
    default:
      break;
  }
  if (id.startsWith('event.hardware.')) {
    const hw = id.slice('event.hardware.'.length);
    const s = SOFTWARE_STANDINS.find((x) => x.hardware === hw);
    if (!isMissing(map, id)) return `opened as PERF_TYPE_HARDWARE (${status(map, id)})`;
    return s
      ? `fails with ERR_KERNEL naming the missing PMU (${status(map, id)}); with policy fallback 'software' counts ${s.label} instead (${s.note}), marked substitutedFrom`
      : `fails with ERR_KERNEL naming the missing PMU (${status(map, id)}); there is no software stand-in`;
  }
  if (id.startsWith('event.') || id.startsWith('pmu.')) {
    return isMissing(map, id) ? `opening it fails before the syscall with ERR_KERNEL (${status(map, id)})` : `opened as asked (${status(map, id)})`;
  }
  const rules = FALLBACKS.filter((r) => r.featureId === id);
  if (rules.length > 0) return ruleLine(rules[0]!, map);
  if (ABI_PREFIXES.some((p) => id.startsWith(p))) {
    return isMissing(map, id)
      ? `refused before the syscall when asked (${status(map, id)}): the shim has no fallback for it`
      : `passed to the kernel as asked (${status(map, id)})`;
  }
  return undefined;
}

/**
 * shimPathFor: one line saying which code path the shim takes for a feature
 * on a given capability map — what `probe explain` prints under "shim".
 */
import { errnoName } from '../abi/errno';
import type { CapabilityMap } from '../model/capability-map';
import { CLOEXEC_FEATURE, FALLBACKS, FallbackRule } from './fallbacks';
import { entry, isMissing, isSupported, numericValue } from './map-lookup';
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

export function shimPathFor(featureId: string, map: CapabilityMap): string | undefined {
  const id = featureId;
  switch (id) {
    case 'attr.size': {
      const v = numericValue(map, id);
      return v !== undefined
        ? `attrs are encoded at ${v} bytes, the largest this kernel accepts; a field beyond byte ${v} is refused with ERR_ATTR_BEYOND_SIZE naming it`
        : 'no attr size in the map: attrs are encoded at the smallest size version that holds the fields asked for';
    }
    case CLOEXEC_FEATURE:
      return isMissing(map, id)
        ? `opens without PERF_FLAG_FD_CLOEXEC (${status(map, id)}) and sets FD_CLOEXEC with fcntl right after`
        : 'opens with PERF_FLAG_FD_CLOEXEC';
    case 'read_format.group':
    case 'behaviour.group_read':
      if (isMissing(map, 'read_format.group')) return `EventSet reads one read() per event: PERF_FORMAT_GROUP is ${status(map, 'read_format.group')} (dropped from an openEvent attr, recorded)`;
      if (entry(map, 'behaviour.group_read')?.status === 'broken') return 'EventSet reads one read() per event: PERF_FORMAT_GROUP reads are broken here (behaviour.group_read)';
      return 'EventSet reads each group with one read() of PERF_FORMAT_GROUP (readPath "group")';
    case 'read_format.lost':
      return isSupported(map, id) ? 'EventSet values carry lost counts (PERF_FORMAT_LOST)' : `EventSet values carry no lost count (${status(map, id)}); LOST asked on openEvent is dropped`;
    case 'combo.inherit_group_read':
      return isMissing(map, id)
        ? `inherited counters (forCommand) are read one read() per event; PERF_FORMAT_GROUP is dropped from inherited attrs (${status(map, id)})`
        : 'inherited counters (forCommand) are read as a group like any other';
    case 'combo.group_schedulability': {
      const v = numericValue(map, id);
      return v !== undefined
        ? `EventSet puts at most ${v} hardware events of one PMU in a group; more start a new group (reported in set.splits) and are multiplexed, values scaled by enabled/running`
        : `no group limit known (${status(map, id)}): hardware events of one PMU share one group`;
    }
    case 'behaviour.schedulability': {
      const v = numericValue(map, id);
      return v !== undefined
        ? `EventSet caps hardware groups at ${v} events (the smaller of this and combo.group_schedulability); larger sets are split (set.splits)`
        : `no measured group limit (${status(map, id)})`;
    }
    case 'behaviour.ioctl_reset':
      return entry(map, id)?.status === 'broken'
        ? 'EventSet emulates RESET: it remembers the counts at start/reset/accum and subtracts them from every read'
        : 'EventSet zeroes counters with PERF_EVENT_IOC_RESET';
    case 'behaviour.ioctl_flag_group':
      return entry(map, id)?.status === 'broken'
        ? 'EventSet enables, disables and resets every event on its own (PERF_IOC_FLAG_GROUP misses members here)'
        : 'EventSet enables, disables and resets each group with one ioctl on its leader (PERF_IOC_FLAG_GROUP)';
    case 'behaviour.group_read_after_exit':
      return entry(map, id)?.status === 'broken'
        ? 'forCommand reads a finished child one read() per event (a group read after exit is wrong here)'
        : 'forCommand reads a finished child like any other set';
    case 'combo.hw_sw_group':
      return isMissing(map, id)
        ? `software events get their own group, apart from hardware events (${status(map, id)})`
        : 'software events join the hardware group, scheduled together';
    case 'combo.precise_ip': {
      const v = numericValue(map, id);
      return v !== undefined
        ? `precise_ip above ${v} is lowered to ${v}${v === 0 ? ' only with policy allowPreciseDowngrade, else refused' : ''} (recorded); strict policy refuses`
        : `precise_ip passed as asked (${status(map, id)})`;
    }
    case 'access.kernel': {
      const e = entry(map, id);
      return e?.status === 'denied'
        ? `exclude_kernel and exclude_hv are set on every event: kernel counting is denied for this caller (paranoid ${map.environment?.paranoid ?? '?'})`
        : 'kernel space is counted as asked';
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

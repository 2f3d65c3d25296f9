/**
 * Step 3, precise_ip: on a core-PMU event, a precise level above the highest
 * this PMU honours (combo.precise_ip: its samples carry
 * PERF_RECORD_MISC_EXACT_IP; a level that opens and is ignored does not
 * count) is lowered to it; when no level is honoured, the event is refused
 * unless the policy allows counting with skid (allowPreciseDowngrade). An event name's :p/:pp/:ppp reaches this step as
 * precise_ip, so by name and as a spec it is decided here, once.
 */
import { PerfcompatError } from '../../errors';
import type { CapabilityMap } from '../../model/capability-map';
import { isCorePmuEvent } from '../event-identity';
import { entry, numericValue } from '../map-lookup';
import { shortStatus } from './map-facts';
import type { PlanStep } from './step';

const ID = 'combo.precise_ip';

/**
 * The highest precise level honoured here, or undefined when the map does
 * not say. A map that says no precise level is honoured (none opens, or those
 * that open are ignored: unsupported, no-hardware, …) is level 0.
 */
export function maxPreciseOf(map: CapabilityMap | undefined): number | undefined {
  const e = entry(map, ID);
  return numericValue(map, ID) ?? (e && e.status !== 'supported' ? 0 : undefined);
}

function loweredWhy(max: number): string {
  return `the highest precise level honoured here is ${max} (combo.precise_ip); samples may skid more`;
}

export const preciseStep: PlanStep = {
  name: 'precise_ip: the highest level the core PMU honours',
  consults: [ID],

  apply(work, { map, policy, env }) {
    const a = work.attr;
    const want = Number(a.precise_ip ?? 0);
    const max = maxPreciseOf(map);
    if (!(isCorePmuEvent(Number(a.type), env) && want > 0 && max !== undefined && want > max)) return [];
    if (max === 0 && !policy.allowPreciseDowngrade) {
      throw new PerfcompatError('ERR_ADAPTATION_REFUSED',
        `${work.label}: precise_ip ${want} was asked, but this PMU honours no precise level (combo.precise_ip = 0: ${entry(map, ID)?.reason ?? 'no level opens'}); pass policy { allowPreciseDowngrade: true } to count with skid`);
    }
    if (max === 0) delete a.precise_ip;
    else a.precise_ip = max;
    return [{ what: `precise_ip lowered from ${want} to ${max}`, why: loweredWhy(max), featureId: ID }];
  },

  explain(map) {
    const max = maxPreciseOf(map);
    if (max === undefined) return `precise_ip passed as asked (${shortStatus(map, ID)})`;
    if (max === 0) {
      return `precise_ip above 0 on core-PMU events is refused with ERR_ADAPTATION_REFUSED: no precise level is honoured here (${shortStatus(map, ID)}: ${entry(map, ID)?.reason ?? 'no level opens'}); policy { allowPreciseDowngrade: true } clears it instead (counts with skid, recorded); strict policy refuses`;
    }
    return `precise_ip above ${max} on core-PMU events is lowered to ${max} (recorded: ${loweredWhy(max)}); strict policy refuses`;
  },
};

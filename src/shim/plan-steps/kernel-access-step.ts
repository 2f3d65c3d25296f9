/**
 * Step 4, kernel counting denied for this caller (access.kernel denied, e.g.
 * perf_event_paranoid 2 without CAP_PERFMON): count user space only by
 * setting exclude_kernel and exclude_hv. An event that asks for kernel space
 * only (exclude_user) has nothing left to count and is refused.
 */
import { PerfcompatError } from '../../errors';
import type { CapabilityMap } from '../../model/capability-map';
import { entry } from '../map-lookup';
import { capabilityToGrant, paranoidAny } from '../../model/privilege';
import { asBig } from '../work-attr';
import { errnoDetails, fromMap, shortStatus } from './map-facts';
import { quote, runOnSample, SAMPLE_EVENT } from './sample-event';
import type { PlanStep } from './step';

const ID = 'access.kernel';

export function kernelDenied(map: CapabilityMap | undefined): boolean {
  return entry(map, ID)?.status === 'denied';
}

/** The fields under which counting is permitted for this caller: access.kernel.permittedWith, else user space only. */
export function permittedForm(map: CapabilityMap | undefined): Record<string, number | string> {
  return entry(map, ID)?.permittedWith ?? { exclude_kernel: 1, exclude_hv: 1 };
}

export const kernelAccessStep: PlanStep = {
  name: 'user space only where counting the kernel is denied',
  consults: [ID],

  apply(work, { map, env }) {
    const a = work.attr;
    if (!(kernelDenied(map) && (asBig(a.exclude_kernel) === 0n || asBig(a.exclude_hv) === 0n))) return [];
    const paranoid = env?.paranoid;
    const known = paranoid !== null && paranoid !== undefined;
    if (asBig(a.exclude_user) !== 0n && asBig(a.exclude_kernel) === 0n) {
      throw new PerfcompatError('ERR_KERNEL', `${work.label}: counts kernel space only (exclude_user), but counting kernel space is denied for this caller${known ? ` (perf_event_paranoid ${paranoid}; needs ${capabilityToGrant(paranoid)}${paranoidAny(paranoid) ? '' : ' or paranoid <= 1'})` : ''}`,
        errnoDetails(map, ID));
    }
    // The form the probe measured as permitted (access.kernel.permittedWith), else the user-space-only bits.
    const form = permittedForm(map);
    const added = Object.keys(form).filter((f) => asBig(a[f]) !== BigInt(form[f]!));
    for (const f of added) a[f] = Number(form[f]);
    return [{ what: `set ${added.join(', ')}`, why: `counting kernel space is denied for this caller${known ? ` (perf_event_paranoid ${paranoid}, no ${capabilityToGrant(paranoid)})` : ''}: only user space is counted${entry(map, ID)?.permittedWith ? ' (the form access.kernel.permittedWith was measured to open)' : ''}`, ...fromMap(map, ID) }];
  },

  explain(map) {
    const { made } = runOnSample(kernelAccessStep, map);
    if (made.length === 0) return `kernel space is counted as asked (planOpen on ${SAMPLE_EVENT} sets no exclusion; ${shortStatus(map, ID)})`;
    return `planOpen (${SAMPLE_EVENT}): ${quote(made)}; recorded in event.adaptations; an event that counts kernel space only (exclude_user) is refused with ERR_KERNEL`;
  },
};

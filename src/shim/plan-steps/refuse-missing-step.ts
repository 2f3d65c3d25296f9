/**
 * Step 6, anything else the attr asks for that the map says is missing: the
 * shim has no fallback for it, so the event is refused before the syscall,
 * naming the feature, instead of failing with a bare EINVAL.
 */
import { PerfcompatError } from '../../errors';
import { isMissing } from '../map-lookup';
import { requestedFeatures } from '../work-attr';
import { errnoDetails, shortStatus, statusText } from './map-facts';
import type { PlanStep } from './step';

export const refuseMissingStep: PlanStep = {
  name: 'refuse what is missing and has no fallback',
  consults: ['attr.*', 'read_format.*', 'sample_type.*', 'branch_sample_type.*'],

  apply(work, { map }) {
    for (const id of requestedFeatures(work.attr)) {
      if (!isMissing(map, id)) continue;
      throw new PerfcompatError('ERR_KERNEL', `${work.label}: ${id} is not available on this kernel (${statusText(map, id)}) and the shim has no fallback for it; remove it from the request`,
        errnoDetails(map, id));
    }
    return [];
  },

  explain(map, id) {
    return isMissing(map, id)
      ? `refused before the syscall when asked (${shortStatus(map, id)}): the shim has no fallback for it`
      : `passed to the kernel as asked (${shortStatus(map, id)})`;
  },
};

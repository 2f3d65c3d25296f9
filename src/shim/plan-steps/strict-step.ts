/**
 * Step 8, strict policy: refuse every change to what is measured that the
 * steps before it made (Adaptations with changesMeasurement false, such as
 * close-on-exec by fcntl, are allowed).
 */
import { PerfcompatError } from '../../errors';
import type { PlanStep } from './step';

export const strictStep: PlanStep = {
  name: 'strict policy: no change to what is measured',
  consults: [],

  apply(work, { policy }) {
    if (!policy.strict) return [];
    const needed = work.adaptations.filter((x) => x.changesMeasurement !== false);
    if (needed.length > 0) {
      throw new PerfcompatError('ERR_ADAPTATION_REFUSED',
        `${work.asked}: strict policy, but this kernel needs ${needed.length === 1 ? 'an adaptation' : `${needed.length} adaptations`}: ${needed.map((x) => `${x.what} — ${x.why}`).join('; ')}`);
    }
    return [];
  },

  explain() {
    return 'with policy { strict: true }, an event that needs any adaptation changing what is measured is refused with ERR_ADAPTATION_REFUSED listing them';
  },
};

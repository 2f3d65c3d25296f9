/**
 * Step 7, the close-on-exec path: PERF_FLAG_FD_CLOEXEC where the map says it
 * works; where it is unknown to the kernel, refused or denied, the flag is not
 * passed and FD_CLOEXEC is set with fcntl after the open (recorded, though it
 * changes no measurement).
 */
import { PERF_FLAG } from '../../abi/constants';
import type { CapabilityMap } from '../../model/capability-map';
import { CLOEXEC_FEATURE } from '../fallbacks';
import { entry, isMissing } from '../map-lookup';
import { fromMap, shortStatus, statusText } from './map-facts';
import { quote, runOnSample } from './sample-event';
import type { PlanStep } from './step';

export function cloexecViaFcntl(map: CapabilityMap | undefined): boolean {
  return isMissing(map, CLOEXEC_FEATURE) || entry(map, CLOEXEC_FEATURE)?.status === 'denied';
}

export const cloexecStep: PlanStep = {
  name: 'the close-on-exec path',
  consults: [CLOEXEC_FEATURE],

  apply(work, { map }) {
    work.cloexecViaFcntl = cloexecViaFcntl(map);
    work.openFlags = work.cloexecViaFcntl ? 0 : PERF_FLAG.FD_CLOEXEC;
    if (!work.cloexecViaFcntl) return [];
    return [{ what: 'close-on-exec set with fcntl(F_SETFD) after the open', why: `PERF_FLAG_FD_CLOEXEC is not known here (${statusText(map, CLOEXEC_FEATURE)})`, changesMeasurement: false, ...fromMap(map, CLOEXEC_FEATURE) }];
  },

  explain(map) {
    const { made } = runOnSample(cloexecStep, map);
    if (made.length > 0) return `every event: ${quote(made)}; recorded in event.adaptations (it changes no measurement)`;
    return `every event opens with PERF_FLAG_FD_CLOEXEC (${shortStatus(map, CLOEXEC_FEATURE)})`;
  },
};

/**
 * Step 9, the attr size and the encoding: the map's attr.size (the largest
 * perf_event_attr this kernel accepts), else the smallest size version that
 * holds every field asked for. A field beyond that size is refused with
 * ERR_ATTR_BEYOND_SIZE naming it.
 */
import { smallestAttrSize } from '../../abi/attr-layout';
import { encodeAttr } from '../../abi/attr-codec';
import { PerfcompatError } from '../../errors';
import { numericValue } from '../map-lookup';
import { runOnSample, SAMPLE_EVENT } from './sample-event';
import type { PlanStep } from './step';

const ID = 'attr.size';

export const attrSizeStep: PlanStep = {
  name: 'the attr size and its encoding',
  consults: [ID],

  apply(work, { map }) {
    const mapSize = numericValue(map, ID);
    const size = mapSize ?? smallestAttrSize(work.attr);
    try {
      work.bytes = encodeAttr(work.attr, { size });
    } catch (e) {
      if (e instanceof PerfcompatError && e.code === 'ERR_ATTR_BEYOND_SIZE') {
        throw new PerfcompatError('ERR_ATTR_BEYOND_SIZE', `${work.label}: this kernel accepts a perf_event_attr of ${size} bytes${mapSize !== undefined ? ' (capability attr.size)' : ''}; ${e.message}`, { cause: e });
      }
      throw e;
    }
    work.size = size;
    return [];
  },

  explain(map) {
    const { work } = runOnSample(attrSizeStep, map);
    return numericValue(map, ID) !== undefined
      ? `planOpen encodes attrs at ${work.size} bytes, the largest this kernel accepts; a field beyond byte ${work.size} is refused with ERR_ATTR_BEYOND_SIZE naming it`
      : `no attr size in the map: planOpen encodes attrs at the smallest size version that holds the fields asked for (${SAMPLE_EVENT}: ${work.size} bytes)`;
  },
};

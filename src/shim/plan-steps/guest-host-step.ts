/**
 * Step 5, exclude_guest / exclude_host on core-PMU events, per what the core
 * PMU takes (combo.exclude_guest, combo.exclude_host): a bit the PMU refuses
 * is cleared (guest or host execution is then counted too); exclude_guest is
 * set where the PMU opens events only with it.
 */
import type { CapabilityMap } from '../../model/capability-map';
import { isCorePmuEvent } from '../event-identity';
import { entry, isMissing, isSupported } from '../map-lookup';
import type { Adaptation } from '../types';
import { asBig } from '../work-attr';
import { fromMap, shortStatus, statusText } from './map-facts';
import type { PlanStep } from './step';

const GUEST = 'combo.exclude_guest';
const HOST = 'combo.exclude_host';

/** What the core PMU needs of exclude_guest: it refuses it, it requires it, or either opens. */
function guestNeed(map: CapabilityMap | undefined): 'refused' | 'required' | 'either' {
  if (isMissing(map, GUEST)) return 'refused';
  return isSupported(map, GUEST) && entry(map, GUEST)?.value === 'required' ? 'required' : 'either';
}

const clearedGuest = (map: CapabilityMap | undefined): Adaptation =>
  ({ what: 'cleared exclude_guest', why: `the core PMU refuses exclude_guest: guest execution is counted too (${statusText(map, GUEST)})`, ...fromMap(map, GUEST) });
const setGuest = (): Adaptation =>
  ({ what: 'set exclude_guest', why: 'the core PMU opens events only with exclude_guest: guest execution is not counted', featureId: GUEST });
const clearedHost = (map: CapabilityMap | undefined): Adaptation =>
  ({ what: 'cleared exclude_host', why: `the core PMU refuses exclude_host: host execution is counted too (${statusText(map, HOST)})`, ...fromMap(map, HOST) });

export const guestHostStep: PlanStep = {
  name: 'exclude_guest / exclude_host as the core PMU takes them',
  consults: [GUEST, HOST],

  apply(work, { map, env }) {
    const a = work.attr;
    if (!isCorePmuEvent(Number(a.type), env)) return [];
    const made: Adaptation[] = [];
    const need = guestNeed(map);
    if (asBig(a.exclude_guest) !== 0n && need === 'refused') {
      delete a.exclude_guest;
      made.push(clearedGuest(map));
    } else if (asBig(a.exclude_guest) === 0n && need === 'required') {
      a.exclude_guest = 1;
      made.push(setGuest());
    }
    if (asBig(a.exclude_host) !== 0n && isMissing(map, HOST)) {
      delete a.exclude_host;
      made.push(clearedHost(map));
    }
    return made;
  },

  explain(map, id) {
    const line = (x: Adaptation, when: string): string => `${x.what} on core-PMU events ${when}: ${x.why}; recorded in event.adaptations`;
    if (id === HOST) return isMissing(map, HOST) ? line(clearedHost(map), 'that ask for it') : `exclude_host passed as asked (${shortStatus(map, HOST)})`;
    switch (guestNeed(map)) {
      case 'refused': return line(clearedGuest(map), 'that ask for it');
      case 'required': return line(setGuest(), 'that do not ask for it');
      case 'either': return `exclude_guest passed as asked (${shortStatus(map, GUEST)})`;
    }
  },
};

/**
 * Step 5, exclude_guest / exclude_host, per what the PMU the event lands on
 * takes — one rule, from the probes: a bit that PMU refuses is cleared (guest
 * or host execution is then counted too); exclude_guest is set where the PMU
 * opens events only with it (Apple, combo.exclude_guest = 'required').
 *  - a core-PMU event: combo.exclude_guest / combo.exclude_host;
 *  - a precise core-PMU event: combo.precise_ip's measured exclude_guest
 *    (AMD forwards precise cycles to IBS, which takes no exclude bit);
 *  - an event of another hardware PMU (uncore, msr, cstate, ibs_*: the
 *    kernel's PERF_PMU_CAP_NO_EXCLUDE, perf_try_init_event EINVAL): guest and
 *    host are core-PMU filters, never sent there. :u and :p set exclude_guest
 *    by default, so this is what keeps such events opening;
 *  - an event of intel_pt or arm_spe (AUX PMUs without PERF_PMU_CAP_NO_EXCLUDE:
 *    pt_event_init, arm_spe_pmu_event_init): sent as asked.
 */
import type { CapabilityMap } from '../../model/capability-map';
import { takesGuestHostBits } from '../../env/aux-pmu';
import { isCorePmuEvent, pmuContext } from '../event-identity';
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
const PRECISE = 'combo.precise_ip';

/** The precise probe measured that precise events refuse exclude_guest. */
function preciseRefusesGuest(map: CapabilityMap | undefined): boolean {
  const m = entry(map, PRECISE)?.measured?.exclude_guest;
  return typeof m === 'string' && m !== 'opens';
}

const clearedOff = (what: string, pmu: string): Adaptation =>
  ({ what: `cleared ${what}`, why: `guest/host filtering is a core-PMU filter; ${pmu} takes no exclude bit (PERF_PMU_CAP_NO_EXCLUDE)` });
const clearedPrecise = (map: CapabilityMap | undefined): Adaptation =>
  ({ what: 'cleared exclude_guest', why: `precise events go to a PMU that refuses exclude_guest (${PRECISE}: ${entry(map, PRECISE)?.measured?.exclude_guest} with it): guest execution is counted too`, featureId: PRECISE });
const clearedHost = (map: CapabilityMap | undefined): Adaptation =>
  ({ what: 'cleared exclude_host', why: `the core PMU refuses exclude_host: host execution is counted too (${statusText(map, HOST)})`, ...fromMap(map, HOST) });

export const guestHostStep: PlanStep = {
  name: 'exclude_guest / exclude_host as the core PMU takes them',
  consults: [GUEST, HOST, PRECISE],

  apply(work, { map, env }) {
    const a = work.attr;
    const type = Number(a.type);
    if (!isCorePmuEvent(type, env)) {
      const ctx = pmuContext(type, env);
      if (ctx === 'software') return [];
      // intel_pt, arm_spe: no PERF_PMU_CAP_NO_EXCLUDE, the bits open as asked (src/env/aux-pmu.ts).
      if (takesGuestHostBits(ctx.replace(/^pmu:/, ''))) return [];
      const off = ['exclude_guest', 'exclude_host'].filter((f) => asBig(a[f]) !== 0n);
      for (const f of off) delete a[f];
      return off.map((f) => clearedOff(f, `the ${ctx.replace(/^pmu:/, "")} PMU`));
    }
    const made: Adaptation[] = [];
    if (Number(a.precise_ip ?? 0) > 0 && asBig(a.exclude_guest) !== 0n && preciseRefusesGuest(map)) {
      delete a.exclude_guest;
      made.push(clearedPrecise(map));
    }
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
    if (id === PRECISE) {
      return preciseRefusesGuest(map) ? line(clearedPrecise(map), 'with precise_ip that ask for exclude_guest (as :p does)') : 'exclude_guest on precise events as on other core-PMU events (combo.exclude_guest)';
    }
    if (id === HOST) return isMissing(map, HOST) ? line(clearedHost(map), 'that ask for it') : `exclude_host passed as asked (${shortStatus(map, HOST)})`;
    switch (guestNeed(map)) {
      case 'refused': return line(clearedGuest(map), 'that ask for it');
      case 'required': return line(setGuest(), 'that do not ask for it');
      case 'either': return `exclude_guest passed as asked (${shortStatus(map, GUEST)})`;
    }
  },
};

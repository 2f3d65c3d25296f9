/**
 * Step 1, the event itself: an event the map says is missing here (no PMU
 * counts it, or the kernel lacks it) is refused before the syscall — unless
 * it is a hardware event with a documented software stand-in and the policy
 * asks for one (`fallback: 'software'`), which is then counted instead.
 */
import { PERF_TYPE } from '../../abi/constants';
import { PerfcompatError } from '../../errors';
import type { CapabilityMap, Environment, FeatureEntry } from '../../model/capability-map';
import { entry, isMissing } from '../map-lookup';
import { missingText } from '../missing-event-text';
import { standInFor } from '../software-standins';
import { errnoDetails, fromMap, shortStatus, statusText } from './map-facts';
import type { PlanStep } from './step';

const HARDWARE = 'event.hardware.';

function hardwareName(id: string): string | undefined {
  return id.startsWith(HARDWARE) ? id.slice(HARDWARE.length) : undefined;
}

type Pmus = Pick<Environment, 'pmus'> | undefined;

/** perf's spelling of a hardware event (cpu_cycles → cpu-cycles), for the words of a refusal. */
function eventWord(hw: string | undefined, id: string): string {
  return (hw ?? id.split('.').slice(2).join('.')).replace(/_/g, '-');
}

/** Why a missing event does not open: the words of the refusal (the one PMU wording rule for no-hardware). */
function missingWhy(e: FeatureEntry, event: string, env: Pmus): string {
  return e.status === 'no-hardware' ? missingText(event, env) : 'this kernel does not support it';
}

/** What the refusal says about a stand-in: the policy that would take one, that there is none, or nothing (not a hardware event). */
function standInHint(id: string): string {
  const hw = hardwareName(id);
  const s = hw !== undefined ? standInFor(hw) : undefined;
  if (s) return `; policy { fallback: 'software' } would count ${s.label} instead`;
  return hw !== undefined || id.startsWith('event.hw_cache.') ? '; it has no software stand-in' : '';
}

export const eventStep: PlanStep = {
  name: 'the event itself, or its software stand-in',
  consults: ['event.*', 'pmu.*'],

  apply(work, { map, policy, env }) {
    const id = work.eventFeature;
    if (id === undefined || !isMissing(map, id)) return [];
    const e = entry(map, id)!;
    const hw = hardwareName(id);
    const pmusHere: Pmus = env ?? map?.environment;
    const standIn = hw !== undefined && policy.fallback === 'software' ? standInFor(hw) : undefined;
    if (!standIn) {
      const pmus = env?.pmus.map((p) => p.name).join(', ');
      throw new PerfcompatError('ERR_KERNEL',
        `${work.label}: ${missingWhy(e, work.label, pmusHere)} (${statusText(map, id)})${pmus ? `; PMUs here: ${pmus}` : ''}${standInHint(id)}`,
        errnoDetails(map, id));
    }
    const adaptation = { what: `counts software/${standIn.software} (${standIn.label}) instead of hardware/${hw}`, why: `${missingText(work.label, pmusHere)}; ${standIn.note}`, ...fromMap(map, id) };
    work.substitutedFrom = work.label;
    work.label = standIn.label;
    work.unit = standIn.unit;
    work.attr.type = PERF_TYPE.SOFTWARE;
    work.attr.config = standIn.config;
    delete work.attr.precise_ip;
    work.eventFeature = `event.software.${standIn.software}`;
    return [adaptation];
  },

  explain(map: CapabilityMap, id: string): string {
    const hw = hardwareName(id);
    if (!isMissing(map, id)) return `${hw !== undefined ? 'opened as PERF_TYPE_HARDWARE' : 'opened as asked'} (${shortStatus(map, id)})`;
    const refused = `fails before the syscall with ERR_KERNEL: ${missingWhy(entry(map, id)!, eventWord(hw, id), map.environment)} (${shortStatus(map, id)})`;
    const s = hw !== undefined ? standInFor(hw) : undefined;
    if (!s) return `${refused}${standInHint(id)}`;
    return `${refused}; with policy { fallback: 'software' } counts ${s.label} instead (${s.note}), marked substitutedFrom and recorded in event.adaptations`;
  },
};

/**
 * The event explain lines run a step on: cpu-clock, which every kernel and
 * map can open, so a step's explain can say what it does by doing it.
 */
import type { CapabilityMap } from '../../model/capability-map';
import type { Adaptation } from '../types';
import type { PlanStep, PlanWork } from './step';

export const SAMPLE_EVENT = 'cpu-clock';

export function sampleWork(): PlanWork {
  return { asked: SAMPLE_EVENT, label: SAMPLE_EVENT, attr: { type: 1, config: 0 }, adaptations: [], openFlags: 0, cloexecViaFcntl: false };
}

/** Run `step` alone on cpu-clock on `map` (default policy): the work as it left it and the Adaptations it made. */
export function runOnSample(step: PlanStep, map: CapabilityMap): { work: PlanWork; made: Adaptation[] } {
  const work = sampleWork();
  const made = step.apply(work, { map, policy: {}, env: map.environment });
  return { work, made };
}

/** "what — why; what — why": Adaptations as explain lines quote them. */
export function quote(made: readonly Adaptation[]): string {
  return made.map((x) => `${x.what} — ${x.why}`).join('; ');
}

/**
 * A plan step: one decision planOpen takes against the capability map, as a
 * small pure object. `consults` names the feature ids it reads (an id ending
 * in ".*" stands for every id under that prefix); `apply` changes the working
 * plan and returns the Adaptations it made, or throws a PerfcompatError;
 * `explain` says what the step does on a given map for one of those ids —
 * the line `probe explain` prints under "shim".
 */
import type { CapabilityMap, Environment } from '../../model/capability-map';
import type { Adaptation, Policy } from '../types';
import type { WorkAttr } from '../work-attr';

/** The plan as the steps build it. */
export interface PlanWork {
  /** The event as asked (its name, or a label made from type and config). */
  readonly asked: string;
  /** Label used in messages: the stand-in's once one replaces the event. */
  label: string;
  attr: WorkAttr;
  /** Feature id of the event itself, when the map can know it. */
  eventFeature?: string;
  substitutedFrom?: string;
  unit?: string;
  /** Every Adaptation of the steps before this one. */
  adaptations: readonly Adaptation[];
  /** perf_event_open flags and the fcntl path (the close-on-exec step). */
  openFlags: number;
  cloexecViaFcntl: boolean;
  /** The encoded attr and its size (the attr-size step, last). */
  size?: number;
  bytes?: Buffer;
}

export interface StepContext {
  readonly map: CapabilityMap | undefined;
  readonly policy: Policy;
  readonly env: Environment | undefined;
}

export interface PlanStep {
  /** What the step decides, in a few words. */
  readonly name: string;
  /** Feature ids the step reads from the map; "prefix.*" for every id under a prefix. */
  readonly consults: readonly string[];
  apply(work: PlanWork, ctx: StepContext): Adaptation[];
  /** What the step does on `map` for `id` (one of the ids it consults). */
  explain(map: CapabilityMap, id: string): string;
}

/** Does `step` consult `id` by name (exact) or by one of its prefixes? */
export function consultsExactly(step: PlanStep, id: string): boolean {
  return step.consults.includes(id);
}

export function consultsByPrefix(step: PlanStep, id: string): boolean {
  return step.consults.some((c) => c.endsWith('.*') && id.startsWith(c.slice(0, -1)));
}

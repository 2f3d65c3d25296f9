/**
 * Adapt a requested event to a capability map BEFORE the first syscall.
 * planOpen runs the plan steps (plan-steps/) in order on a working copy of the
 * attr: the event itself or its software stand-in, the fallback table,
 * precise_ip, user space only where kernel counting is denied, exclude_guest /
 * exclude_host, refusal of what is missing, the close-on-exec path, strict
 * policy, the attr size. Pure: no I/O. Every change is returned as an Adaptation.
 */
import type { CapabilityMap, Environment } from '../model/capability-map';
import { eventFeatureId, eventLabel } from './event-identity';
import { normaliseSpec } from './normalise-spec';
import { PLAN_STEPS, type PlanWork, type StepContext } from './plan-steps';
import type { Adaptation, EventSpec, Policy } from './types';
import type { WorkAttr } from './work-attr';

export type { WorkAttr } from './work-attr';
export { normaliseSpec } from './normalise-spec';
export { ruleApplies } from './plan-steps';

export interface OpenPlan {
  /** Label used in messages and PerfEvent.name. */
  name: string;
  attr: WorkAttr;
  /** The encoded attr, ready for perf_event_open. */
  bytes: Buffer;
  size: number;
  /** perf_event_open flags. */
  openFlags: number;
  /** Set FD_CLOEXEC with fcntl after the open (kernel without PERF_FLAG_FD_CLOEXEC). */
  cloexecViaFcntl: boolean;
  adaptations: Adaptation[];
  /** The event asked for, when a software stand-in replaces it (name is then the stand-in's). */
  substitutedFrom?: string;
  unit?: string;
  /** Feature id of the event itself (event.hardware.cpu_cycles, …), when the map can know it. */
  eventFeature?: string;
}

export interface PlanContext {
  map?: CapabilityMap;
  policy?: Policy;
  environment?: Environment;
}

/**
 * Build the open plan for a spec. Throws PerfcompatError: ERR_KERNEL (the map
 * already says the kernel refuses it and there is no fallback),
 * ERR_ADAPTATION_REFUSED (strict policy), ERR_ATTR_BEYOND_SIZE, ERR_INVALID_ARGUMENT.
 */
export function planOpen(spec: EventSpec, ctx: PlanContext = {}): OpenPlan {
  const step: StepContext = { map: ctx.map, policy: ctx.policy ?? {}, env: ctx.environment ?? ctx.map?.environment };
  const { name: given, attr } = normaliseSpec(spec);
  const asked = given ?? eventLabel(Number(attr.type), attr.config, step.env);
  const adaptations: Adaptation[] = [];
  const work: PlanWork = { asked, label: asked, attr, adaptations, openFlags: 0, cloexecViaFcntl: false };
  const eventFeature = eventFeatureId(Number(attr.type), attr.config, step.env);
  if (eventFeature !== undefined) work.eventFeature = eventFeature;
  for (const s of PLAN_STEPS) adaptations.push(...s.apply(work, step));
  const plan: OpenPlan = { name: work.label, attr, bytes: work.bytes!, size: work.size!, openFlags: work.openFlags, cloexecViaFcntl: work.cloexecViaFcntl, adaptations };
  if (work.substitutedFrom !== undefined) plan.substitutedFrom = work.substitutedFrom;
  if (work.unit !== undefined) plan.unit = work.unit;
  if (work.eventFeature !== undefined) plan.eventFeature = work.eventFeature;
  return plan;
}

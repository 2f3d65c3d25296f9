/**
 * planOpen's steps, in the order it runs them: each a PlanStep (step.ts)
 * that consults named map entries, changes the working plan and records what
 * it changed, and says on a given map what it does (`probe explain`).
 */
import { attrSizeStep } from './attr-size-step';
import { cloexecStep } from './cloexec-step';
import { eventStep } from './event-step';
import { fallbackStep } from './fallback-step';
import { guestHostStep } from './guest-host-step';
import { kernelAccessStep } from './kernel-access-step';
import { preciseStep } from './precise-step';
import { refuseMissingStep } from './refuse-missing-step';
import { consultsByPrefix, consultsExactly, type PlanStep } from './step';
import { strictStep } from './strict-step';

export type { PlanStep, PlanWork, StepContext } from './step';
export { ruleApplies } from './fallback-step';
export { maxPreciseOf } from './precise-step';

export const PLAN_STEPS: readonly PlanStep[] = [
  eventStep, fallbackStep, preciseStep, kernelAccessStep, guestHostStep, refuseMissingStep, cloexecStep, strictStep, attrSizeStep,
];

/** The step that speaks for `id`: the first that names it, else the first whose prefix covers it. */
export function stepFor(id: string): PlanStep | undefined {
  return PLAN_STEPS.find((s) => consultsExactly(s, id)) ?? PLAN_STEPS.find((s) => consultsByPrefix(s, id));
}

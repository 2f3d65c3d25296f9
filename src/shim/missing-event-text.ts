/**
 * The one rule for saying what is missing when a hardware event cannot be
 * counted here: "no PMU here" only where the environment has no core PMU
 * (src/env/core-pmu.ts decides which are), otherwise "this PMU (<name>) has
 * no <event> event" — an arm PMU without INST_RETIRED in PMCEID answers
 * ENOENT for instructions (armpmu_map_hw_event) while cycles open. The shim's
 * event step (refusals and stand-ins), `probe stat` and `probe explain` all
 * word it from here. Pure.
 */
import { corePmus } from '../env/core-pmu';
import type { Environment } from '../model/capability-map';

type Pmus = Pick<Environment, 'pmus'> | undefined;

function coreNames(environment: Pmus): string[] {
  return corePmus(environment?.pmus ?? []).map((p) => p.name);
}

/** "no PMU here", or "this PMU (armv8_pmuv3) has no instructions event". */
export function missingText(event: string, environment: Pmus): string {
  const core = coreNames(environment);
  if (core.length === 0) return 'no PMU here';
  return `${core.length === 1 ? `this PMU (${core[0]!})` : `these PMUs (${core.join(', ')})`} ${core.length === 1 ? 'has' : 'have'} no ${event} event`;
}

/** The same rule for several events at once (probe list --all): "no PMU here" or "this PMU (cpu) does not count them". */
export function missingTextForAll(environment: Pmus): string {
  const core = coreNames(environment);
  if (core.length === 0) return 'no PMU here';
  return `${core.length === 1 ? `this PMU (${core[0]!}) does` : `these PMUs (${core.join(', ')}) do`} not count them`;
}

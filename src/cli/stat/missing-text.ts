/**
 * The one rule for saying what is missing when a hardware event cannot be
 * counted here: "no PMU here" only where the environment has no core PMU,
 * otherwise "this PMU has no <event> event" naming the core PMU. Pure.
 */
import type { Environment } from '../../model/capability-map';

export function missingText(event: string, environment: Pick<Environment, 'pmus'> | undefined): string {
  const core = environment?.pmus.filter((p) => p.core === true) ?? [];
  if (core.length === 0) return 'no PMU here';
  return `${core.length === 1 ? `this PMU (${core[0]!.name})` : `these PMUs (${core.map((p) => p.name).join(', ')})`} ${core.length === 1 ? 'has' : 'have'} no ${event} event`;
}

/** The same rule for several events at once (probe list --all): "no PMU here" or "this PMU (cpu) does not count them". */
export function missingTextForAll(environment: Pick<Environment, 'pmus'> | undefined): string {
  const core = environment?.pmus.filter((p) => p.core === true) ?? [];
  if (core.length === 0) return 'no PMU here';
  return `${core.length === 1 ? `this PMU (${core[0]!.name}) does` : `these PMUs (${core.map((p) => p.name).join(', ')}) do`} not count them`;
}

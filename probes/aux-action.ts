/**
 * The aux_action bits (aux_start_paused, aux_pause, aux_resume). They need a
 * PMU with an AUX area; on any other base the kernel refuses them after attr
 * validation, so the unregistered-PMU cross-check tells "known" from "unknown":
 * known bits come back no-hardware with inferredFrom, never unsupported.
 * Where an AUX PMU is, they are asked on it (aux-family.ts).
 */
import { AUX_ACTION_FLAGS } from '../src/abi/attr-layout';
import type { ProbeDeclaration } from '../src/probe/declaration';
import { auxHook } from './aux-family';
import { abiDescription } from './describe';

export const auxActionProbes: ProbeDeclaration[] = AUX_ACTION_FLAGS.map((f): ProbeDeclaration => ({
  id: `attr.${f.name}`,
  description: abiDescription(`attr.${f.name}`),
  base: ['hardware-sampling', 'sampling'],
  set: { [f.name]: 1 },
  oracle: true,
  whenKnown: 'no-hardware',
  note: 'aux_action needs a PMU with an AUX area (Intel PT, Arm SPE, CoreSight)',
  // aux_start_paused is the AUX event's own; aux_pause/aux_resume go on a member of its group (aux-family.ts).
  hook: auxHook(f.name === 'aux_start_paused' ? 'aux-event' : 'member', { [f.name]: 1 }),
}));

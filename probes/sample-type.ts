/**
 * Every sample_type bit on a sampling software event, with what the kernel
 * validates first: REGS_USER / REGS_INTR need a register mask, STACK_USER an
 * aligned size, BRANCH_STACK a branch_sample_type. Bits a software PMU cannot
 * deliver (BRANCH_STACK: EOPNOTSUPP) are cross-checked on an unregistered PMU
 * type and come back no-hardware with inferredFrom, not unsupported. For
 * BRANCH_STACK a hardware PMU, where one opens, is the base (and AMD BRS's
 * retired-taken-branches event where cycles is refused: branch-stack-hook.ts).
 */
import { SAMPLE_TYPE } from '../src/abi/constants';
import type { AttrInput } from '../src/abi/attr-codec';
import type { ProbeDeclaration } from '../src/probe/declaration';
import { auxHook } from './aux-family';
import { branchStackHook } from './branch-stack-hook';
import { abiDescription } from './describe';

const BRANCH_ANY = 1n << 3n;

const WITH: Readonly<Record<string, AttrInput>> = {
  branch_stack: { branch_sample_type: BRANCH_ANY },
  regs_user: { sample_regs_user: 1 },
  stack_user: { sample_stack_user: 8 },
  regs_intr: { sample_regs_intr: 1 },
};

/** Only branch stacks need a hardware PMU to be accepted at all; every other bit is asked of the software PMU. */
const HARDWARE_FIRST = new Set(['branch_stack']);

export const sampleTypeProbes: ProbeDeclaration[] = SAMPLE_TYPE.map((b): ProbeDeclaration => ({
  id: `sample_type.${b.name}`,
  description: abiDescription(`sample_type.${b.name}`),
  base: HARDWARE_FIRST.has(b.name) ? ['hardware-sampling', 'sampling'] : 'sampling',
  set: { ...WITH[b.name], sample_type: 1n << BigInt(b.bit) },
  oracle: true,
  whenKnown: 'no-hardware',
  ...(HARDWARE_FIRST.has(b.name) ? { hook: branchStackHook } : {}),
  // AUX data in samples comes from the leader's AUX area: asked on a member of an AUX PMU's group (aux-family.ts).
  ...(b.name === 'aux' ? { hook: auxHook('member', { sample_type: 1n << BigInt(b.bit), aux_sample_size: 4096 }) } : {}),
}));

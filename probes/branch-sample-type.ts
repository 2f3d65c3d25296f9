/**
 * Every branch_sample_type bit. They are read only with PERF_SAMPLE_BRANCH_STACK,
 * and perf_copy_attr checks them (unknown bits: EINVAL; a mask of privilege
 * bits only: EINVAL, so ANY is added) before any PMU is asked. A PMU without
 * branch stacks then refuses with EOPNOTSUPP: the kernel knows the bit, this
 * machine cannot record it → no-hardware, with the evidence, never unsupported.
 */
import { BRANCH_SAMPLE_TYPE, PERF_SAMPLE } from '../src/abi/constants';
import type { ProbeDeclaration } from '../src/probe/declaration';
import { abiDescription } from './describe';

const BRANCH_STACK = PERF_SAMPLE.BRANCH_STACK!;
const ANY = 1n << 3n;

export const branchSampleTypeProbes: ProbeDeclaration[] = BRANCH_SAMPLE_TYPE.map((b): ProbeDeclaration => ({
  id: `branch_sample_type.${b.name}`,
  description: abiDescription(`branch_sample_type.${b.name}`),
  base: ['hardware-sampling', 'sampling'],
  set: { sample_type: BRANCH_STACK, branch_sample_type: (1n << BigInt(b.bit)) | ANY },
  oracle: true,
  whenKnown: 'no-hardware',
  note: 'branch sampling needs a PMU with branch stacks (LBR, BRBE)',
}));

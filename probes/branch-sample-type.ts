/**
 * Every branch_sample_type bit. They are read only with PERF_SAMPLE_BRANCH_STACK,
 * and perf_copy_attr checks them (unknown bits: EINVAL; a mask of privilege
 * bits only: EINVAL, so ANY is added) before any PMU is asked. A PMU without
 * branch stacks then refuses with EOPNOTSUPP: the kernel knows the bit, this
 * machine cannot record it → no-hardware, with the evidence, never unsupported.
 *
 * CALL_STACK is asked as perf --call-graph lbr asks it, USER|CALL_STACK:
 * intel_pmu_setup_sw_lbr_filter (arch/x86/events/intel/lbr.c, 4.1+) refuses
 * CALL_STACK beside any branch type but the privilege bits (EINVAL), so
 * CALL_STACK|ANY would read no-hardware on every Intel with LBR call stacks.
 * The probes run on cycles, and on AMD BRS's event where cycles is refused
 * (branch-stack-hook.ts).
 */
import { BRANCH_SAMPLE_TYPE, PERF_SAMPLE } from '../src/abi/constants';
import type { ProbeDeclaration } from '../src/probe/declaration';
import { branchStackHook } from './branch-stack-hook';
import { abiDescription } from './describe';

const BRANCH_STACK = PERF_SAMPLE.BRANCH_STACK!;
const bit = (name: string): bigint => 1n << BigInt(BRANCH_SAMPLE_TYPE.find((b) => b.name === name)!.bit);
const ANY = bit('any');
/** What each bit is asked with besides itself: a branch type, or (call stacks) the user privilege bit only. */
const BESIDE: Readonly<Record<string, bigint>> = { call_stack: bit('user') };

export const branchSampleTypeProbes: ProbeDeclaration[] = BRANCH_SAMPLE_TYPE.map((b): ProbeDeclaration => ({
  id: `branch_sample_type.${b.name}`,
  description: abiDescription(`branch_sample_type.${b.name}`),
  base: ['hardware-sampling', 'sampling'],
  set: { sample_type: BRANCH_STACK, branch_sample_type: (1n << BigInt(b.bit)) | (BESIDE[b.name] ?? ANY) },
  oracle: true,
  whenKnown: 'no-hardware',
  note: 'branch sampling needs a PMU with branch stacks (LBR, BRBE, AMD BRS)',
  hook: branchStackHook,
}));

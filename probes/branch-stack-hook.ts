/**
 * Branch-stack probes (branch_sample_type.*, sample_type.branch_stack) ask
 * the way the PMUs that have branch stacks take them:
 * - Intel LBR: on cycles, any filter (intel_pmu_setup_lbr_filter);
 * - AMD BRS (arch/x86/events/amd/brs.c amd_brs_hw_config, 5.19+): only on a
 *   sampling event counting retired taken branches (raw event 0xc4,
 *   AMD_FAM19H_BRS_EVENT), with a fixed period above the BRS depth and no
 *   filter but ANY — so where cycles is refused with EINVAL, the same set is
 *   asked again on that event, and the answer names the event it was measured on.
 */
import { ERRNO, errnoName } from '../src/abi/errno';
import { PERF_TYPE } from '../src/abi/constants';
import type { FeatureEntry } from '../src/model/capability-map';
import type { ProbeContext, ProbeDeclaration } from '../src/probe/contract';
import { isErr } from '../src/sys/kernel';

/** AMD_FAM19H_BRS_EVENT: retired taken branches (BRS samples only on it). */
export const AMD_BRS_EVENT = 0xc4;
export const BRS_LABEL = 'raw 0xc4 (retired taken branches: AMD BRS records branch stacks only on it)';
const BRS_NOTE = 'AMD BRS (amd_brs_hw_config) takes branch stacks only on raw 0xc4, sampling with a fixed period, and no filter but ANY';

export function branchStackHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return ctx.withBase(decl.base, (base, label) => {
    const set = decl.set ?? {};
    const r = ctx.open({ ...base.attr, ...set });
    if (!isErr(r)) {
      ctx.close(r.fd);
      return { status: 'supported', base: label, set: plainSet(set) };
    }
    const refusal = ctx.permitted(ctx.refused(decl, r.errno, base, set), { ...base.attr, ...set });
    if (base.name !== 'hardware-sampling' || errnoName(r.errno) !== 'EINVAL') return refusal;
    const brs = ctx.open({ ...base.attr, type: PERF_TYPE.RAW, config: AMD_BRS_EVENT, ...set });
    if (!isErr(brs)) {
      ctx.close(brs.fd);
      return { status: 'supported', base: BRS_LABEL, set: plainSet(set) };
    }
    // Both refused: the cycles answer stands, saying that the BRS form was asked too.
    return errnoName(brs.errno) === errnoName(ERRNO.EINVAL!) && refusal.status === 'no-hardware'
      ? { ...refusal, reason: `${refusal.reason}; also refused on ${BRS_LABEL} (EINVAL): ${BRS_NOTE}` }
      : refusal;
  });
}

function plainSet(set: Record<string, unknown>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(set)) {
    if (v !== undefined) out[k] = typeof v === 'bigint' && v > BigInt(Number.MAX_SAFE_INTEGER) ? `0x${v.toString(16)}` : Number(v);
  }
  return out;
}

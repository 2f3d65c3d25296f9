/**
 * PMU driver rules the simulator follows beyond the generic core PMU: what a
 * vendor's hw_config refuses, each from the kernel function named beside it.
 * sim-open.ts and sim-init-event.ts ask these at the point the kernel does;
 * a persona opts in with PersonaPmu.driver.
 */
import type { DecodedAttr } from '../../src/abi';
import { CLOCK_IDS } from '../../src/abi';

/** The vendor driver of a core PMU. */
export interface PmuDriver {
  /**
   * Intel LBR (arch/x86/events/intel/lbr.c, intel_pmu_setup_lbr_filter):
   * `callStack` where the LBR can record call stacks (Haswell and later, or
   * arch LBR with lbr_call_stack); x86_pmu_has_lbr_callstack() otherwise fails.
   */
  lbr?: { callStack: boolean };
  /** AMD Fam19h BRS (arch/x86/events/amd/brs.c, 5.19+): lbr_nr entries, branch stacks on raw event 0xc4 only. */
  brs?: { depth: number };
  /**
   * intel_pmu_hw_config (arch/x86/events/intel/core.c): aux_output needs
   * precise_ip (PEBS via PT, 5.4+); the core PMU has PERF_PMU_CAP_AUX_OUTPUT
   * only with `pebsViaPt` (intel_cap.pebs_output_pt_available).
   */
  intel?: { pebsViaPt: boolean };
}

type Errno = 'EINVAL' | 'EOPNOTSUPP';

const BR = { user: 1n << 0n, kernel: 1n << 1n, hv: 1n << 2n, any: 1n << 3n, callStack: 1n << 11n } as const;
const PLM_ALL = BR.user | BR.kernel | BR.hv;
/**
 * intel_pmu_setup_sw_lbr_filter: the branch types it adds to its mask before
 * it looks at CALL_STACK (any, any_call, any_return, ind_call, abort_tx,
 * in_tx, no_tx, cond). Beside CALL_STACK only USER/KERNEL may be in that
 * mask (HV is ignored), else -EINVAL.
 */
const BEFORE_CALL_STACK = [3, 4, 5, 6, 7, 8, 9, 10].reduce((m, b) => m | (1n << BigInt(b)), 0n);
/** AMD_FAM19H_BRS_EVENT: retired taken branches. */
export const AMD_BRS_EVENT = 0xc4n;

/** x86_pmu_hw_config → the vendor's branch filter setup, for an event with PERF_SAMPLE_BRANCH_STACK. */
export function branchStackRefusal(driver: PmuDriver | undefined, attr: DecodedAttr, rawConfig: bigint | undefined): Errno | undefined {
  const bst = BigInt(attr.branch_sample_type ?? 0);
  if (driver?.lbr && (bst & BR.callStack) !== 0n) {
    if (!driver.lbr.callStack) return 'EOPNOTSUPP';
    if ((bst & BEFORE_CALL_STACK) !== 0n) return 'EINVAL';
  }
  if (driver?.brs) {
    // amd_brs_hw_config: sampling only, on event 0xc4, a fixed period above the BRS depth, no filter but ANY.
    if (BigInt(attr.sample_period ?? 0) === 0n) return 'EINVAL';
    // AMD64_RAW_EVENT_MASK: event select (bits 0-7, 32-35), unit mask, edge, inv, cmask.
    if (rawConfig === undefined || (rawConfig & 0xfff84ffffn) !== AMD_BRS_EVENT) return 'EINVAL';
    if (attr.freq === 1) return 'EINVAL';
    if (BigInt(attr.sample_period ?? 0) <= BigInt(driver.brs.depth)) return 'EINVAL';
    if ((bst & ~PLM_ALL) !== BR.any) return 'EINVAL';
  }
  return undefined;
}

/** intel_pmu_hw_config's aux_output rule, then the core's PERF_PMU_CAP_AUX_OUTPUT check (perf_event_open). */
export function auxOutputRefusal(driver: PmuDriver | undefined, attr: DecodedAttr): Errno | undefined {
  if (attr.aux_output !== 1) return undefined;
  if (driver?.intel && Number(attr.precise_ip ?? 0) === 0) return 'EINVAL';
  if (!driver?.intel?.pebsViaPt) return 'EOPNOTSUPP';
  return undefined;
}

const NMI_SAFE = new Set(['monotonic', 'monotonic_raw']);

/**
 * perf_event_set_clock (kernel/events/core.c, 4.1+): only the NMI-safe
 * clocks (monotonic, monotonic_raw) on a PMU without PERF_PMU_CAP_NO_NMI —
 * every PMU but the software ones (perf_swevent, cpu_clock, task_clock).
 */
export function clockRefusal(attr: DecodedAttr, pmuHasNoNmiCap: boolean): Errno | undefined {
  if (attr.use_clockid !== 1 || pmuHasNoNmiCap) return undefined;
  const clock = CLOCK_IDS.find((c) => c.value === Number(attr.clockid ?? 0));
  return clock && !NMI_SAFE.has(clock.name) ? 'EINVAL' : undefined;
}

/** What an AUX-area PMU (intel_pt, arm_spe, cs_etm) offers a group it leads. */
export interface AuxCaps {
  /** PERF_PMU_CAP_AUX_PAUSE (intel_pt on 6.13+ where the CPU can pause tracing). */
  pause: boolean;
  /** pmu->snapshot_aux: samples may carry AUX data (aux_sample_size; intel_pt since 5.5). */
  snapshot: boolean;
}

interface AuxPersona {
  pmu: { name: string; driver?: PmuDriver } | null;
  hybridPmus: { name: string; driver?: PmuDriver }[];
  extraPmus: { name: string; aux?: AuxCaps }[];
}

/**
 * The AUX rules of perf_event_open (kernel/events/core.c, 5.4+; the aux_action
 * bits 6.13+), in its order: intel_pmu_hw_config wants precise_ip with
 * aux_output; aux_output needs PERF_PMU_CAP_AUX_OUTPUT on the event's PMU and
 * no aux_pause/aux_resume beside it (EOPNOTSUPP); aux_pause with aux_resume
 * is EINVAL; aux_start_paused needs PERF_PMU_CAP_AUX_PAUSE on the event's own
 * PMU (EOPNOTSUPP); and perf_get_aux_event wants a group leader with an AUX
 * area for aux_output, aux_pause/aux_resume (its PMU with AUX_PAUSE) and
 * aux_sample_size (its PMU with snapshot_aux), else EINVAL.
 */
export function auxRefusal(p: AuxPersona, attr: DecodedAttr, pmuName: string, leaderPmu: string | undefined): Errno | undefined {
  const a = attr as Record<string, unknown>;
  const output = a.aux_output === 1, pause = a.aux_pause === 1, resume = a.aux_resume === 1;
  const sampleSize = Number(a.aux_sample_size ?? 0) > 0;
  const cores = [...(p.pmu ? [p.pmu] : []), ...p.hybridPmus];
  const core = cores.find((c) => c.name === pmuName);
  const auxOf = (name: string | undefined): AuxCaps | undefined => p.extraPmus.find((x) => x.name === name)?.aux;
  if (output) {
    const err = auxOutputRefusal(core?.driver, attr);
    if (err) return err;
    if (pause || resume) return 'EOPNOTSUPP';
  }
  if (pause && resume) return 'EINVAL';
  if (a.aux_start_paused === 1 && !auxOf(pmuName)?.pause) return 'EOPNOTSUPP';
  if (output || pause || resume || sampleSize) {
    const lead = auxOf(leaderPmu);
    if (!lead) return 'EINVAL';
    if (output && sampleSize) return 'EINVAL';
    if ((pause || resume) && !lead.pause) return 'EINVAL';
    if (sampleSize && !lead.snapshot) return 'EINVAL';
  }
  return undefined;
}

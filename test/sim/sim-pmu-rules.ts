/**
 * What a core PMU's driver refuses of the exclude_* bits and precise_ip,
 * beyond the generic checks of sim-kernel.ts (persona data: PersonaPmu.rules).
 *
 * - noExclude: PERF_PMU_CAP_NO_EXCLUDE — perf_try_init_event (kernel/events/
 *   core.c, since 5.0) refuses an event with any exclude_* bit with EINVAL
 *   (riscv_pmu_legacy.c sets the cap on its PMU; old Arm PMUs without
 *   filtering).
 * - preciseVia: amd_pmu_hw_config (arch/x86/events/amd/core.c) passes an event
 *   with precise_ip to IBS where IBS is present; forward_event_to_ibs
 *   (arch/x86/events/amd/ibs.c, since 5.19; a bare -ENOENT before) takes
 *   levels 1 and 2 of cycles (EOPNOTSUPP above) and the ibs_op PMU carries
 *   PERF_PMU_CAP_NO_EXCLUDE, so perf_try_init_event refuses any exclude bit
 *   there (EINVAL). perf_ibs_handle_irq sets PERF_EFLAGS_EXACT (the samples'
 *   PERF_RECORD_MISC_EXACT_IP).
 * - requiresExcludeGuest: m1_pmu_set_event_filter (drivers/perf/
 *   apple_m1_cpu_pmu.c, since 5.17) refuses an event without exclude_guest.
 *   The function returned -EINVAL until 6.8, but arm_pmu.c's
 *   __hw_perf_event_init turned any set_event_filter error into EOPNOTSUPP;
 *   since "arm: pmu: Move error message and -EOPNOTSUPP to individual PMUs"
 *   (6.8) the driver returns EOPNOTSUPP itself. User space sees EOPNOTSUPP;
 *   EINVAL is kept as a knob for robustness.
 */
import type { DecodedAttr } from '../../src/abi/attr-codec';

export interface PmuRules {
  noExclude?: boolean;
  preciseVia?: { pmu: string; maxPrecise: number; noExclude: boolean };
  requiresExcludeGuest?: 'EINVAL' | 'EOPNOTSUPP';
  /** PERF_PMU_CAP_NO_INTERRUPT: a sampling event is EOPNOTSUPP (perf_event_open; riscv_pmu_legacy). */
  noInterrupt?: boolean;
}

const EXCLUDE_BITS = ['exclude_user', 'exclude_kernel', 'exclude_hv', 'exclude_idle', 'exclude_host', 'exclude_guest'] as const;

/** event_has_any_exclude_flag */
export function anyExcludeBit(attr: DecodedAttr): boolean {
  return EXCLUDE_BITS.some((b) => attr[b] === 1);
}

/** The errno name the driver answers for `attr`, or undefined when these rules take it. */
export function pmuRuleRefusal(rules: PmuRules | undefined, attr: DecodedAttr): string | undefined {
  if (!rules) return undefined;
  if (rules.noInterrupt && (BigInt(attr.sample_period ?? 0) !== 0n || attr.freq === 1)) return 'EOPNOTSUPP';
  const precise = Number(attr.precise_ip ?? 0);
  if (precise > 0 && rules.preciseVia) {
    if (precise > rules.preciseVia.maxPrecise) return 'EOPNOTSUPP';
    if (rules.preciseVia.noExclude && anyExcludeBit(attr)) return 'EINVAL';
    return undefined;
  }
  if (rules.noExclude && anyExcludeBit(attr)) return 'EINVAL';
  if (rules.requiresExcludeGuest && attr.exclude_guest !== 1) return rules.requiresExcludeGuest;
  return undefined;
}

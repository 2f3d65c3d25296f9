/**
 * The AUX PMUs (an AUX area of trace or samples): intel_pt, arm_spe_<n>,
 * cs_etm. Unlike the other non-core hardware PMUs (uncore, msr, cstate,
 * ibs_*: PERF_PMU_CAP_NO_EXCLUDE, so perf_try_init_event refuses any
 * exclude_* bit with EINVAL), intel_pt and arm_spe register no
 * PERF_PMU_CAP_NO_EXCLUDE and their event_init reads no guest/host bit
 * (arch/x86/events/intel/pt.c pt_event_init checks the type and
 * pt_event_valid's config bits; drivers/perf/arm_spe_pmu.c
 * arm_spe_pmu_event_init refuses exclude_idle only): exclude_guest and
 * exclude_host open there as asked, which is what perf sends for
 * `intel_pt//u`. Pure.
 */

/** PMU names with an AUX area. */
export const AUX_PMU_NAME = /^(intel_pt|arm_spe(_\d+)?|cs_etm)$/;

/** AUX PMUs whose drivers take exclude_guest / exclude_host (pt_event_init, arm_spe_pmu_event_init). */
const TAKES_GUEST_HOST = /^(intel_pt|arm_spe(_\d+)?)$/;

/** True for a non-core PMU that opens events with exclude_guest / exclude_host set. */
export function takesGuestHostBits(pmuName: string): boolean {
  return TAKES_GUEST_HOST.test(pmuName);
}

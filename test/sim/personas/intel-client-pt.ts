import { PersonaSpec, x86Pmu } from '../persona';

/**
 * An Intel client CPU (Skylake-like core PMU: 4 general counters and 3 fixed
 * ones, PEBS up to precise_ip 3, LBR with call stacks, Intel PT) on 6.12,
 * with the NMI watchdog on. The rules are those of:
 * - arch/x86/events/intel/lbr.c intel_pmu_setup_sw_lbr_filter (4.1+):
 *   CALL_STACK beside any branch type other than USER/KERNEL is EINVAL;
 *   intel_pmu_setup_hw_lbr_filter maps the rest onto LBR_SELECT.
 * - arch/x86/events/intel/core.c intel_pmu_hw_config (5.4+): aux_output
 *   without precise_ip is EINVAL; the core PMU has no PERF_PMU_CAP_AUX_OUTPUT
 *   without PEBS-via-PT (intel_cap.pebs_output_pt_available — Tremont and
 *   later Atoms, not this core), so perf_event_open answers EOPNOTSUPP.
 * - kernel/events/core.c perf_event_set_clock (4.1+): the x86 core PMU has
 *   no PERF_PMU_CAP_NO_NMI, so only monotonic and monotonic_raw are accepted
 *   for its events.
 * - arch/x86/events/intel/pt.c: intel_pt (dynamic type 8) leads AUX groups,
 *   with snapshot_aux (5.5+); no PERF_PMU_CAP_AUX_PAUSE on this CPU.
 * Fixed counters (intel_pmu_init: fixed_cntr_mask): cycles, instructions
 * and ref-cycles each have one of their own.
 */
const persona: PersonaSpec = {
  name: 'intel-client-pt',
  description: '6.12 on an Intel client core: PEBS, LBR call stacks, Intel PT, 3 fixed + 4 general counters, NMI watchdog',
  release: '6.12.48+deb13-amd64',
  base: '6.12',
  cpus: 4,
  pmu: x86Pmu({
    counters: 7,
    dedicated: [{ events: ['cpu_cycles'], counters: 1 }, { events: ['instructions'], counters: 1 }, { events: ['ref_cpu_cycles'], counters: 1 }],
    driver: { lbr: { callStack: true }, intel: { pebsViaPt: false } },
  }),
  extraPmus: [{ name: 'intel_pt', type: 8, events: {}, aux: { pause: false, snapshot: true } }],
  nmiWatchdog: true,
};
export default persona;

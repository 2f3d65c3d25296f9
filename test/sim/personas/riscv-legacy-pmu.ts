import { PersonaSpec } from '../persona';

/**
 * A RISC-V board without the SBI PMU extension on 6.6: drivers/perf/
 * riscv_pmu_legacy.c (5.17+) registers `cpu` with cycles and instructions
 * only (rdcycle / rdinstret, pmu_legacy_event_map: ENOENT for the rest) and
 * sets PERF_PMU_CAP_NO_INTERRUPT | PERF_PMU_CAP_NO_EXCLUDE on it
 * (pmu_legacy_init): every exclude_* bit is EINVAL in perf_try_init_event
 * (kernel/events/core.c, 5.0+), and sampling is EOPNOTSUPP (perf_event_open's
 * PERF_PMU_CAP_NO_INTERRUPT check). So user-space-only counting is refused:
 * root counts hardware events with no exclusion at all, an unprivileged
 * caller at paranoid 2 cannot count them.
 */
const persona: PersonaSpec = {
  name: 'riscv-legacy-pmu',
  description: 'riscv64 6.6 with riscv_pmu_legacy: cycles and instructions, no exclude bit, no sampling',
  release: '6.6.63-riscv64',
  machine: 'riscv64',
  base: '6.6',
  cpus: 4,
  pmu: {
    name: 'cpu', type: 4, counters: 2, maxPrecise: 0, branchStack: false,
    hardwareEvents: ['cpu_cycles', 'instructions'], hwCache: [], mmapCaps: [],
    rules: { noExclude: true, noInterrupt: true },
  },
};
export default persona;

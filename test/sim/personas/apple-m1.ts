import { PersonaSpec } from '../persona';

/**
 * Asahi Linux 6.6 on an Apple M1: drivers/perf/apple_m1_cpu_pmu.c (5.17+)
 * registers apple_icestorm_pmu (E-cores) and apple_firestorm_pmu (P-cores),
 * 10 counters each, cycles and instructions only (m1_pmu_perf_map), no
 * precise_ip, no branch stack. m1_pmu_set_event_filter refuses an event
 * without exclude_guest (the counters cannot tell guest from host unless
 * the kernel runs in hyp mode): EOPNOTSUPP as user space sees it on every
 * release (the function's own -EINVAL before 6.8 was turned into EOPNOTSUPP
 * by arm_pmu.c's __hw_perf_event_init), which perf's evsel__fallback answers
 * by setting exclude_guest=1.
 */
const persona: PersonaSpec = {
  name: 'apple-m1',
  description: 'Asahi 6.6 on Apple M1: apple_icestorm_pmu / apple_firestorm_pmu, events only with exclude_guest',
  release: '6.6.0-asahi-15-1-edge-ARCH',
  machine: 'aarch64',
  base: '6.6',
  cpus: 8,
  pmu: {
    name: 'apple_icestorm_pmu', type: 8, counters: 10, maxPrecise: 0, branchStack: false,
    hardwareEvents: ['cpu_cycles', 'instructions'], hwCache: [], mmapCaps: [],
    rules: { requiresExcludeGuest: 'EOPNOTSUPP' },
  },
  hybridPmus: [{
    name: 'apple_firestorm_pmu', type: 9, counters: 10, maxPrecise: 0, branchStack: false,
    hardwareEvents: ['cpu_cycles', 'instructions'], hwCache: [], mmapCaps: [],
    rules: { requiresExcludeGuest: 'EOPNOTSUPP' },
  }],
};
export default persona;

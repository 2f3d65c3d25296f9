import { PersonaSpec } from '../persona';

/** An arm64 server: armv8_pmuv3_0 with 6 counters, no precise_ip, no branch stack. */
const persona: PersonaSpec = {
  name: 'arm64-graviton',
  description: 'arm64 6.1 with the armv8 PMU (6 counters, no precise_ip, no branch stack)',
  release: '6.1.112-124.190.amzn2023.aarch64',
  machine: 'aarch64',
  base: '6.1',
  pmu: {
    name: 'armv8_pmuv3_0', type: 8, counters: 6, maxPrecise: 0, branchStack: false,
    hardwareEvents: ['cpu_cycles', 'instructions', 'cache_references', 'cache_misses', 'branch_instructions', 'branch_misses', 'bus_cycles', 'stalled_cycles_frontend', 'stalled_cycles_backend'],
    mmapCaps: [],
  },
  breakpointSlots: 6,
};
export default persona;

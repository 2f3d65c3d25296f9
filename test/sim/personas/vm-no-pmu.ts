import { PersonaSpec } from '../persona';

/** A current kernel in a VM with no hardware PMU: software, tracepoint, breakpoint, uprobe and msr only. */
const persona: PersonaSpec = {
  name: 'vm-no-pmu',
  description: '6.18 in a VM without a PMU (hardware events ENOENT)',
  release: '6.18.0-1-cloud-amd64',
  base: '6.18',
  pmu: null,
  extraPmus: [{ name: 'msr', type: 9, events: { tsc: 0, aperf: 1, mperf: 2 } }],
  container: ['hypervisor cpu flag'],
};
export default persona;

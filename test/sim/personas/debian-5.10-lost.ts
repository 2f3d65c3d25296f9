import { PersonaSpec } from '../persona';

/** Debian 11 cloud kernel: a 5.10 that accepts PERF_FORMAT_LOST (6.0), in a VM without a PMU, paranoid 3. */
const persona: PersonaSpec = {
  name: 'debian-5.10-lost',
  description: 'Debian 5.10.0-32-cloud-amd64 with PERF_FORMAT_LOST backported, no PMU, paranoid 3',
  release: '5.10.0-32-cloud-amd64',
  version: '#1 SMP Debian 5.10.223-1 (2024-08-10)',
  base: '5.10',
  add: ['read_format.lost'],
  paranoid: 3,
  pmu: null,
  container: ['hypervisor cpu flag'],
};
export default persona;

import { PersonaSpec, x86Pmu } from '../persona';

/** A hybrid x86 CPU: cpu_core (P-cores, 8 counters) and cpu_atom (E-cores, 6 counters, type 10), reached with the extended hardware type (5.13+). */
const persona: PersonaSpec = {
  name: 'hybrid-alderlake',
  description: '6.1 on a hybrid CPU: cpu_core and cpu_atom PMUs, hardware events addressed by extended type',
  release: '6.1.0-28-amd64',
  base: '6.1',
  cpus: 4,
  pmu: x86Pmu({ name: 'cpu_core', type: 4, counters: 8 }),
  hybridPmus: [x86Pmu({ name: 'cpu_atom', type: 10, counters: 6, maxPrecise: 3, branchStack: true })],
};
export default persona;

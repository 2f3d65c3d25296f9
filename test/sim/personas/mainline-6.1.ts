import { PersonaSpec, x86Pmu } from '../persona';

/** Mainline 6.1 on bare metal with an x86 PMU. */
const persona: PersonaSpec = {
  name: 'mainline-6.1',
  description: 'Mainline 6.1 on bare metal with an x86 PMU.',
  release: '6.1.130',
  base: '6.1',
  pmu: x86Pmu(),
};
export default persona;

import { PersonaSpec, x86Pmu } from '../persona';

/** Mainline 4.19 on bare metal with an x86 PMU. */
const persona: PersonaSpec = {
  name: 'mainline-4.19',
  description: 'Mainline 4.19 on bare metal with an x86 PMU.',
  release: '4.19.325',
  base: '4.19',
  pmu: x86Pmu(),
};
export default persona;

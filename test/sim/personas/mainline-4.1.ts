import { PersonaSpec, x86Pmu } from '../persona';

/** Mainline 4.1 on bare metal with an x86 PMU. */
const persona: PersonaSpec = {
  name: 'mainline-4.1',
  description: 'Mainline 4.1 on bare metal with an x86 PMU.',
  release: '4.1.52',
  base: '4.1',
  pmu: x86Pmu(),
};
export default persona;

import { PersonaSpec, x86Pmu } from '../persona';

/** Mainline 5.4 on bare metal with an x86 PMU. */
const persona: PersonaSpec = {
  name: 'mainline-5.4',
  description: 'Mainline 5.4 on bare metal with an x86 PMU.',
  release: '5.4.290',
  base: '5.4',
  pmu: x86Pmu(),
};
export default persona;

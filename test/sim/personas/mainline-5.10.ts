import { PersonaSpec, x86Pmu } from '../persona';

/** Mainline 5.10 on bare metal with an x86 PMU. */
const persona: PersonaSpec = {
  name: 'mainline-5.10',
  description: 'Mainline 5.10 on bare metal with an x86 PMU.',
  release: '5.10.235',
  base: '5.10',
  pmu: x86Pmu(),
};
export default persona;

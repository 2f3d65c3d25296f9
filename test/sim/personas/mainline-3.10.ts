import { PersonaSpec, x86Pmu } from '../persona';

/** Mainline 3.10 on bare metal with an x86 PMU. */
const persona: PersonaSpec = {
  name: 'mainline-3.10',
  description: 'Mainline 3.10 on bare metal with an x86 PMU.',
  release: '3.10.108',
  base: '3.10',
  pmu: x86Pmu(),
};
export default persona;

import { PersonaSpec, x86Pmu } from '../persona';

/** Mainline 6.12 on bare metal with an x86 PMU. */
const persona: PersonaSpec = {
  name: 'mainline-6.12',
  description: 'Mainline 6.12 on bare metal with an x86 PMU.',
  release: '6.12.20',
  base: '6.12',
  pmu: x86Pmu(),
};
export default persona;

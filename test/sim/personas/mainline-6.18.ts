import { PersonaSpec, x86Pmu } from '../persona';

/** Current mainline (6.18) on bare metal with an x86 PMU. */
const persona: PersonaSpec = {
  name: 'mainline-6.18',
  description: 'Current mainline (6.18) on bare metal with an x86 PMU.',
  release: '6.18.0',
  base: '6.18',
  pmu: x86Pmu(),
};
export default persona;

import { PersonaSpec, x86Pmu } from '../persona';

/** A container whose seccomp profile refuses perf_event_open with EPERM (Docker's default). */
const persona: PersonaSpec = {
  name: 'seccomp-eperm',
  description: 'container: seccomp refuses perf_event_open with EPERM',
  release: '6.1.0-28-amd64',
  base: '6.1',
  pmu: x86Pmu(),
  seccomp: 'EPERM',
  container: ['/.dockerenv'],
};
export default persona;

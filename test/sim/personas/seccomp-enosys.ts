import { PersonaSpec, x86Pmu } from '../persona';

/** A container whose seccomp profile makes perf_event_open look absent (ENOSYS). */
const persona: PersonaSpec = {
  name: 'seccomp-enosys',
  description: 'container: seccomp refuses perf_event_open with ENOSYS',
  release: '6.1.0-28-amd64',
  base: '6.1',
  pmu: x86Pmu(),
  seccomp: 'ENOSYS',
  container: ['/.dockerenv'],
};
export default persona;

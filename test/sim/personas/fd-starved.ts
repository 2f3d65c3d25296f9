import { PersonaSpec } from '../persona';

/** A process close to RLIMIT_NOFILE: opens fail with EMFILE after a few fds. */
const persona: PersonaSpec = {
  name: 'fd-starved',
  description: '6.18 without PMU, RLIMIT_NOFILE 24 with 20 fds already in use',
  release: '6.18.0',
  base: '6.18',
  pmu: null,
  rlimitNofile: 24,
  fdsInUse: 20,
};
export default persona;

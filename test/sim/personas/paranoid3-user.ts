import { PersonaSpec, x86Pmu } from '../persona';

/** Debian's perf_event_paranoid=3 and an unprivileged user: every open is EACCES. */
const persona: PersonaSpec = {
  name: 'paranoid3-user',
  description: 'Debian 6.1, perf_event_paranoid 3, unprivileged caller',
  release: '6.1.0-28-amd64',
  version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)',
  base: '6.1',
  paranoid: 3,
  euid: 1000,
  pmu: x86Pmu(),
};
export default persona;

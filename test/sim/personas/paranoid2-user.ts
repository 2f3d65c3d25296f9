import { PersonaSpec, x86Pmu } from '../persona';

/** The common default: paranoid 2, unprivileged: user-space counting only, no CPU-wide events. */
const persona: PersonaSpec = {
  name: 'paranoid2-user',
  description: '6.12, perf_event_paranoid 2, unprivileged caller',
  release: '6.12.20',
  base: '6.12',
  paranoid: 2,
  euid: 1000,
  pmu: x86Pmu(),
  tracepoints: null,
};
export default persona;

import { PersonaSpec, x86Pmu } from '../persona';

/** Bare metal 6.1 whose NMI watchdog holds one of the 4 counters: a group of 4 opens but never runs. */
const persona: PersonaSpec = {
  name: 'nmi-watchdog',
  description: '6.1 with the NMI watchdog holding 1 of 4 counters',
  release: '6.1.0-28-amd64',
  base: '6.1',
  pmu: x86Pmu({ counters: 4 }),
  nmiWatchdog: true,
};
export default persona;

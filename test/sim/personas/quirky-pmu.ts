import { PersonaSpec, x86Pmu } from '../persona';

/** A virtual PMU that accepts everything and counts zeros, a broken FORMAT_GROUP read and a RESET that does nothing. */
const persona: PersonaSpec = {
  name: 'quirky-pmu',
  description: '5.4 guest with a virtual PMU: hardware counts 0, FORMAT_GROUP reads only the leader, RESET is a no-op',
  release: '5.4.0-216-generic',
  base: '5.4',
  pmu: x86Pmu({ maxPrecise: 0, branchStack: false, mmapCaps: [] }),
  quirks: { zeroCounts: ['hardware', 'hw_cache', 'raw'], brokenGroupRead: true, resetNoop: true },
  container: ['hypervisor cpu flag'],
};
export default persona;

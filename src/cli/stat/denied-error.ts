/**
 * The error `probe stat -p` / `-a` / `-C` gives when perf_event_open refuses
 * the target for lack of privilege: what it needs comes from the one rule,
 * src/model/privilege.ts (CAP_SYS_ADMIN at Debian/Ubuntu's paranoid 3 and 4,
 * where CAP_PERFMON is not enough).
 */
import { PerfcompatError } from '../../errors';
import type { CapabilityMap } from '../../model/capability-map';
import { privilegeNeeded, type PrivilegedScope } from '../../model/privilege';

/** A mapper from the EventSet's refusal to the CLI's error for `what` (e.g. "CPU-wide counting (-a, -C)"). */
export function statDeniedError(what: string, scope: PrivilegedScope, capabilities: CapabilityMap) {
  return (err: PerfcompatError): Error => {
    const paranoid = capabilities.environment.paranoid;
    return new PerfcompatError('ERR_PERF_UNAVAILABLE',
      `perf_event_open refused ${what} with ${err.errnoName ?? 'EACCES'}: that ${privilegeNeeded(scope, paranoid)} (it is ${paranoid ?? 'unknown'} here)`,
      { ...(err.errno !== undefined ? { errno: err.errno } : {}), ...(err.errnoName !== undefined ? { errnoName: err.errnoName } : {}) });
  };
}

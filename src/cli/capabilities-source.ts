/**
 * Where a command gets its CapabilityMap: a dump file (--from FILE) or the
 * probe engine on this kernel. Off Linux perf_event_open does not exist, which
 * is the ERR_PERF_UNAVAILABLE the CLI turns into exit 3. The engine (and with
 * it koffi) is loaded only when a command needs this kernel, so --help,
 * --version and `probe diff A B` start fast and work anywhere.
 */
import { PerfcompatError } from '../errors';
import type { CapabilityMap } from '../model/capability-map';

export function assertLinux(): void {
  if (process.platform !== 'linux') {
    throw new PerfcompatError('ERR_PERF_UNAVAILABLE', `perf_event_open is not usable here: it exists only on Linux, and this is ${process.platform}`);
  }
}

export function capabilitiesHere(opts: { refresh: boolean; behaviour?: boolean }): CapabilityMap {
  assertLinux();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getCapabilities } = require('../root') as typeof import('../root');
  return getCapabilities({ ...(opts.refresh ? { refresh: true } : {}), ...(opts.behaviour ? { behaviour: true } : {}) });
}

export function loadCapabilities(opts: { from?: string; refresh: boolean; behaviour?: boolean }): CapabilityMap {
  if (opts.from === undefined) return capabilitiesHere(opts);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readCapabilityDump } = require('./dump-file') as typeof import('./dump-file');
  return readCapabilityDump(opts.from);
}

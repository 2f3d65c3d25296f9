/**
 * How the shim reads the capability map: which answers mean "missing here"
 * (take the fallback) and where a map comes from when the caller gave none.
 */
import type { CapabilityMap, Environment, FeatureEntry } from '../model/capability-map';
import type { Kernel } from '../sys/kernel';
import { logger } from '../sys/log';
import { getCapabilities } from '../root';
import type { Uname } from '../model/capability-map';

const log = logger('shim');

/** Statuses that mean the feature cannot be used here: the shim takes the fallback. */
const MISSING = new Set(['unsupported', 'no-hardware']);

export function entry(map: CapabilityMap | undefined, id: string): FeatureEntry | undefined {
  return map?.features[id];
}

/** True only when the map has an answer for `id` and that answer says it is not there. */
export function isMissing(map: CapabilityMap | undefined, id: string): boolean {
  const e = map?.features[id];
  return e !== undefined && MISSING.has(e.status);
}

export function isSupported(map: CapabilityMap | undefined, id: string): boolean {
  return map?.features[id]?.status === 'supported';
}

export function numericValue(map: CapabilityMap | undefined, id: string): number | undefined {
  const v = map?.features[id]?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The engine's map for `kernel` (cached by the engine for the real kernel).
 * Another kernel should come with its environment and uname: without them
 * the engine describes this machine's box around it.
 */
export function defaultCapabilities(kernel: Kernel, box: { environment?: Environment; uname?: Uname } = {}): CapabilityMap {
  if (log.enabled) log('no capability map given: asking the engine for %s', kernel.name);
  const given = { ...(box.environment ? { environment: box.environment } : {}), ...(box.uname ? { uname: box.uname } : {}) };
  return getCapabilities(kernel.host ? given : { kernel, ...given });
}

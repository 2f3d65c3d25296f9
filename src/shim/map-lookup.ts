/**
 * How the shim reads the capability map: which answers mean "missing here"
 * (take the fallback) and where a map comes from when the caller gave none.
 */
import type { CapabilityMap, FeatureEntry } from '../probe/types';
import type { Kernel } from '../sys/kernel';
import { logger } from '../sys/log';

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

interface ProbeModule {
  getCapabilities(opts?: { kernel?: Kernel }): CapabilityMap;
}

/**
 * The engine's map for `kernel` (cached by the engine for the real kernel).
 * Returns undefined when the engine is not available, in which case the shim
 * opens what was asked without adaptation.
 */
export function defaultCapabilities(kernel: Kernel): CapabilityMap | undefined {
  let mod: Partial<ProbeModule>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../probe') as Partial<ProbeModule>;
  } catch (e) {
    if (log.enabled) log('no probe engine (%s): opening without a capability map', (e as Error).message);
    return undefined;
  }
  if (typeof mod.getCapabilities !== 'function') return undefined;
  return mod.getCapabilities(kernel.name === 'real' ? {} : { kernel });
}

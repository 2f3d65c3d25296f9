/**
 * Feature ids that were renamed, old → new. A map read from a dump, from the
 * cache or handed to diffMaps has its old ids rewritten, and feature() /
 * supports() accept an old id. Kept for one minor version after the rename
 * (0.1.x spelt "scheduability"); then the entries go. Pure.
 */
import { invalidArgument } from '../abi/args';
import type { CapabilityMap, FeatureEntry } from './capability-map';

export const FEATURE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'combo.group_scheduability': 'combo.group_schedulability',
  'behaviour.scheduability': 'behaviour.schedulability',
});

/** The current id for a feature id (itself when it was never renamed). */
export function canonicalFeatureId(id: string): string {
  if (typeof id !== 'string') throw invalidArgument('canonicalFeatureId', 'id', id, 'a feature id string such as "read_format.lost"');
  return Object.prototype.hasOwnProperty.call(FEATURE_ALIASES, id) ? FEATURE_ALIASES[id]! : id;
}

/** The deprecation note for an old id, or undefined when the id is current. */
export function deprecatedIdNote(id: string): string | undefined {
  const now = canonicalFeatureId(id);
  return now === id ? undefined : `feature id "${id}" is deprecated; it is now "${now}"`;
}

/**
 * The map with renamed ids under their new names (a new object; the input is
 * not changed). An entry already under the new id wins over the old one.
 */
export function withCurrentIds(map: CapabilityMap): CapabilityMap {
  if (map === null || typeof map !== 'object' || map.features === null || typeof map.features !== 'object') {
    throw invalidArgument('withCurrentIds', 'map', map, 'a CapabilityMap with a features object');
  }
  if (!Object.keys(map.features).some((id) => canonicalFeatureId(id) !== id)) return map;
  const features: Record<string, FeatureEntry> = {};
  for (const [id, e] of Object.entries(map.features)) {
    const now = canonicalFeatureId(id);
    if (now !== id && Object.prototype.hasOwnProperty.call(map.features, now)) continue;
    // defineProperty: an id "__proto__" stays an own entry instead of replacing the prototype.
    Object.defineProperty(features, now, { value: e, enumerable: true, writable: true, configurable: true });
  }
  return { ...map, features };
}

/**
 * How the plan steps quote the capability map in messages: the status text
 * of an entry, its errno for a PerfcompatError, and the map fields an
 * Adaptation carries. Pure.
 */
import { errnoName } from '../../abi/errno';
import type { CapabilityMap } from '../../model/capability-map';
import type { Adaptation } from '../types';
import { entry } from '../map-lookup';

/** featureId plus the entry's errno, for an Adaptation. */
export function fromMap(map: CapabilityMap | undefined, id: string): Pick<Adaptation, 'featureId' | 'errno' | 'errnoName'> {
  const e = entry(map, id);
  const out: Pick<Adaptation, 'featureId' | 'errno' | 'errnoName'> = { featureId: id };
  if (e?.errno !== undefined) {
    out.errno = e.errno;
    out.errnoName = e.errnoName ?? errnoName(e.errno);
  }
  return out;
}

/** "attr.mmap2: unsupported (EINVAL)", as Adaptation.why and errors quote an entry. */
export function statusText(map: CapabilityMap | undefined, id: string): string {
  const e = entry(map, id);
  if (!e) return `${id}: not in the map`;
  return `${id}: ${e.status}${e.errno !== undefined ? ` (${e.errnoName ?? errnoName(e.errno)})` : ''}`;
}

/** "unsupported EINVAL" or "not probed", as explain lines quote an entry. */
export function shortStatus(map: CapabilityMap, id: string): string {
  const e = entry(map, id);
  if (!e) return 'not probed';
  return `${e.status}${e.errno !== undefined ? ` ${e.errnoName ?? errnoName(e.errno)}` : ''}`;
}

/** The entry's errno as PerfcompatError details (none when the entry has no errno). */
export function errnoDetails(map: CapabilityMap | undefined, id: string): { errno?: number; errnoName?: string } {
  const e = entry(map, id)!;
  return { ...(e.errno !== undefined ? { errno: e.errno, errnoName: e.errnoName ?? errnoName(e.errno) } : {}) };
}

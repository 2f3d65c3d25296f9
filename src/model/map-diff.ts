/**
 * What changed between two capability maps (two kernels, two machines):
 * features gained, lost, now denied, errno or status changed, values changed,
 * PMUs added or removed. A loss is a feature supported in A that is not
 * supported in B (absent, refused or denied); a behaviour.* check that one
 * map did not run is neither lost nor gained. Pure.
 */
import { clipText, invalidArgument } from '../abi/args';
import type { CapabilityMap, FeatureEntry, FeatureStatus } from './capability-map';
import { withCurrentIds } from './feature-aliases';

export interface FeatureChange {
  id: string;
  /** undefined when the map lacks the feature id altogether. */
  from?: FeatureEntry;
  to?: FeatureEntry;
}

export interface MapDiff {
  a: { release: string; machine: string };
  b: { release: string; machine: string };
  /** Not supported (or absent) in A, supported in B. */
  gained: FeatureChange[];
  /** Supported in A, not supported in B and not denied there (absent, unsupported, no-hardware …). */
  lost: FeatureChange[];
  /** Denied in B and not in A (a loss too when A had it supported). */
  nowDenied: FeatureChange[];
  /** Same status in both, different errno. */
  errnoChanged: FeatureChange[];
  /** Other status transitions among the not-supported states (e.g. unsupported → no-hardware). */
  statusChanged: FeatureChange[];
  /** Supported in both with a different measured value (attr.size 136 → 144); not PMU type numbers, which the kernel hands out at registration. */
  valueChanged: FeatureChange[];
  pmusAdded: string[];
  pmusRemoved: string[];
  /** True when a feature supported in A is not supported in B. */
  hasLoss: boolean;
}

function statusOf(e: FeatureEntry | undefined): FeatureStatus | 'absent' {
  return e === undefined ? 'absent' : e.status;
}

/** The features of a map as a Map of its own entries (never an inherited `constructor` or `__proto__`). */
function entriesOf(map: CapabilityMap): Map<string, FeatureEntry> {
  return new Map(Object.entries(map.features));
}

function checkMap(name: string, m: unknown): void {
  const o = m as Partial<CapabilityMap> | null;
  const valid = 'a CapabilityMap (getCapabilities() or a probe --json dump)';
  if (o === null || typeof o !== 'object') throw invalidArgument('diffMaps', name, m, valid);
  if (o.features === null || typeof o.features !== 'object' || Array.isArray(o.features)) throw invalidArgument('diffMaps', `${name}.features`, o.features, 'an object of feature entries');
  if (o.kernel === null || typeof o.kernel !== 'object') throw invalidArgument('diffMaps', `${name}.kernel`, o.kernel, '{ release, version, machine }');
  if (o.environment === null || typeof o.environment !== 'object' || !Array.isArray(o.environment.pmus)) {
    throw invalidArgument('diffMaps', `${name}.environment.pmus`, o.environment?.pmus, 'an array of PMUs');
  }
  for (const [id, e] of Object.entries(o.features)) {
    if (e === null || typeof e !== 'object' || typeof (e as { status?: unknown }).status !== 'string') {
      throw invalidArgument('diffMaps', `${name}.features[${JSON.stringify(clipText(id))}]`, e, 'a feature entry { status, ... }');
    }
  }
}

export function diffMaps(oldA: CapabilityMap, oldB: CapabilityMap): MapDiff {
  checkMap('a', oldA);
  checkMap('b', oldB);
  const a = withCurrentIds(oldA);
  const b = withCurrentIds(oldB);
  const fa = entriesOf(a);
  const fb = entriesOf(b);
  const d: MapDiff = {
    a: { release: a.kernel.release, machine: a.kernel.machine },
    b: { release: b.kernel.release, machine: b.kernel.machine },
    gained: [], lost: [], nowDenied: [], errnoChanged: [], statusChanged: [], valueChanged: [],
    pmusAdded: [], pmusRemoved: [], hasLoss: false,
  };
  const ids = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  for (const id of ids) {
    const from = fa.get(id);
    const to = fb.get(id);
    const change: FeatureChange = { id };
    if (from !== undefined) change.from = from;
    if (to !== undefined) change.to = to;
    // A behaviour check one side did not run (a dump without --behaviour) says nothing about that side.
    if ((from === undefined || to === undefined) && id.startsWith('behaviour.')) continue;
    const sa = statusOf(from);
    const sb = statusOf(to);
    if (sa === 'supported' && sb === 'supported') {
      const comparable = !id.startsWith('pmu.');
      if (comparable && from?.value !== undefined && to?.value !== undefined && from.value !== to.value) d.valueChanged.push(change);
    } else if (sb === 'supported') {
      d.gained.push(change);
    } else if (sb === 'denied' && sa !== 'denied') {
      d.nowDenied.push(change);
      if (sa === 'supported') d.hasLoss = true;
    } else if (sa === 'supported') {
      d.lost.push(change);
      d.hasLoss = true;
    } else if (sa === 'absent' || sb === 'absent') {
      // Neither side supports it and one map does not know the id: nothing a user lost.
    } else if (sa !== sb) {
      d.statusChanged.push(change);
    } else if ((from?.errnoName ?? from?.errno) !== (to?.errnoName ?? to?.errno)) {
      d.errnoChanged.push(change);
    }
  }
  const pa = new Set(a.environment.pmus.map((p) => String(p?.name)));
  const pb = new Set(b.environment.pmus.map((p) => String(p?.name)));
  d.pmusAdded = [...pb].filter((n) => !pa.has(n)).sort();
  d.pmusRemoved = [...pa].filter((n) => !pb.has(n)).sort();
  return d;
}

export function diffIsEmpty(d: MapDiff): boolean {
  return d.gained.length + d.lost.length + d.nowDenied.length + d.errnoChanged.length
    + d.statusChanged.length + d.valueChanged.length + d.pmusAdded.length + d.pmusRemoved.length === 0;
}

/**
 * What changed between two capability maps (two kernels, two machines):
 * features gained, lost, now denied, errno or status changed, values changed,
 * PMUs added or removed. A loss is a feature supported in A that is not
 * supported in B (absent, refused or denied); a behaviour.* check that one
 * map did not run is neither lost nor gained. Pure.
 */
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

export function diffMaps(oldA: CapabilityMap, oldB: CapabilityMap): MapDiff {
  const a = withCurrentIds(oldA);
  const b = withCurrentIds(oldB);
  const d: MapDiff = {
    a: { release: a.kernel.release, machine: a.kernel.machine },
    b: { release: b.kernel.release, machine: b.kernel.machine },
    gained: [], lost: [], nowDenied: [], errnoChanged: [], statusChanged: [], valueChanged: [],
    pmusAdded: [], pmusRemoved: [], hasLoss: false,
  };
  const ids = [...new Set([...Object.keys(a.features), ...Object.keys(b.features)])].sort();
  for (const id of ids) {
    const from = a.features[id];
    const to = b.features[id];
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
  const pa = new Set(a.environment.pmus.map((p) => p.name));
  const pb = new Set(b.environment.pmus.map((p) => p.name));
  d.pmusAdded = [...pb].filter((n) => !pa.has(n)).sort();
  d.pmusRemoved = [...pa].filter((n) => !pb.has(n)).sort();
  return d;
}

export function diffIsEmpty(d: MapDiff): boolean {
  return d.gained.length + d.lost.length + d.nowDenied.length + d.errnoChanged.length
    + d.statusChanged.length + d.valueChanged.length + d.pmusAdded.length + d.pmusRemoved.length === 0;
}

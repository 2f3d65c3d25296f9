/**
 * Version annotations: the mainline release that introduced a feature, and an
 * anomaly where the kernel's answer disagrees with its version (a newer
 * feature that works: backported; an older one refused as unknown: missing).
 * Annotations only — never a decision. Vendor release strings are coerced:
 * "3.10.0-1160.el7.x86_64" → 3.10.0, "5.10.0-32-cloud-amd64" → 5.10.0.
 */
// The three functions only: all of semver costs ~20 ms to load at every start-up.
import coerce from 'semver/functions/coerce';
import gt from 'semver/functions/gt';
import type { FeatureEntry } from '../model/capability-map';
import { invalidArgument } from '../abi/args';

export function coerceRelease(release: string): string | null {
  const c = coerce(release);
  return c ? c.version : null;
}

export function annotate(entry: FeatureEntry, mainline: string | undefined, kernelSemver: string | null): FeatureEntry {
  if (entry === null || typeof entry !== 'object' || typeof entry.status !== 'string') throw invalidArgument('annotate', 'entry', entry, 'a feature entry { status, ... }');
  if (mainline !== undefined && (typeof mainline !== 'string' || mainline.length > 64)) throw invalidArgument('annotate', 'mainline', mainline, 'a release string such as "5.13" or undefined');
  if (kernelSemver !== null && (typeof kernelSemver !== 'string' || kernelSemver.length > 64)) throw invalidArgument('annotate', 'release', kernelSemver, 'a semver string such as "6.1.0" or null');
  if (mainline === undefined) return entry;
  const out: FeatureEntry = { ...entry, mainline };
  if (kernelSemver === null || (entry.status !== 'supported' && entry.status !== 'unsupported')) return out;
  const newer = newerThanKernel(mainline, kernelSemver);
  if (newer === null) return out;
  if (entry.status === 'supported' && newer) out.anomaly = 'backported';
  else if (entry.status === 'unsupported' && !newer) out.anomaly = 'missing';
  return out;
}

/** mainline release → kernel semver → whether it is newer (null: not a release). A probe asks a few hundred times for a few dozen releases. */
const NEWER = new Map<string, Map<string, boolean | null>>();

function newerThanKernel(mainline: string, kernelSemver: string): boolean | null {
  let byKernel = NEWER.get(kernelSemver);
  if (byKernel === undefined) {
    if (NEWER.size >= 16) NEWER.clear();
    NEWER.set(kernelSemver, (byKernel = new Map()));
  }
  let v = byKernel.get(mainline);
  if (v === undefined) {
    const added = coerce(mainline);
    v = added === null ? null : gt(added, kernelSemver);
    if (byKernel.size < 1024) byKernel.set(mainline, v);
  }
  return v;
}

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
import lte from 'semver/functions/lte';
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
  const added = coerce(mainline);
  if (kernelSemver === null || added === null) return out;
  if (entry.status === 'supported' && gt(added, kernelSemver)) out.anomaly = 'backported';
  else if (entry.status === 'unsupported' && lte(added, kernelSemver)) out.anomaly = 'missing';
  return out;
}

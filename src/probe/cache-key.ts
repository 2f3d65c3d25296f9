/**
 * The cache key: everything the answers of a map depend on, read with cheap
 * stats only, so that a map is never served after one of them changed.
 *
 * - boot id, kernel release, euid, perf_event_paranoid, CapEff, engine version;
 * - seccomp: mode and filter count, and under a filter (mode 2) what it does
 *   to the few perf_event_open arguments that matter — each PERF_FLAG, a
 *   per-cpu and an all-task open — so two filters with the same count but
 *   different rules get different keys (a handful of opens, under a filter
 *   only: ./cache-seccomp);
 * - facts: tracefs mounted and readable, the PMUs and their types (modules load
 *   after boot), kernel.nmi_watchdog (it holds a hardware counter) and
 *   kernel.perf_user_access (arm64 user-space counter reads);
 * - the behaviour answers' key adds perf_event_max_sample_rate, which the
 *   sampling checks depend on and the kernel itself lowers.
 *
 * null (no cache) when there is no boot id, or when a seccomp check met a fault
 * of the moment (EMFILE, ENOMEM): a key made of those would describe nothing.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { readMaxSampleRate } from '../env/sample-rate';
import { readTrimmed } from '../env/read-file';
import type { Environment, Uname } from '../model/capability-map';
import type { Kernel } from '../sys/kernel';
import type { CacheKey } from './cache';
import { engineVersion } from './engine-version';

/** Only a seccomp filter needs the fingerprint, which encodes attrs: required then. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fingerprint = (kernel: Kernel): string | null => (require('./cache-seccomp') as typeof import('./cache-seccomp')).seccompFingerprint(kernel);

function readable(dir: string): boolean {
  try {
    fs.accessSync(`${dir}/events`, fs.constants.R_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The digest of the facts answers depend on, beyond the key's other fields. */
export function factsDigest(env: Environment, real: boolean): string {
  const parts = [
    `tracefs=${env.tracefs === null ? 'none' : `${env.tracefs}:${real ? readable(env.tracefs) : true}`}`,
    `pmus=${env.pmus.map((p) => `${p.name}:${p.type}`).sort().join(',')}`,
  ];
  if (real) {
    parts.push(`nmi_watchdog=${readTrimmed('/proc/sys/kernel/nmi_watchdog') ?? '-'}`);
    parts.push(`perf_user_access=${readTrimmed('/proc/sys/kernel/perf_user_access') ?? '-'}`);
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/**
 * The key of a map. The kernel may be given as a function: it is asked for
 * only under a seccomp filter, so that a cache hit elsewhere never loads the
 * kernel bindings.
 */
export function cacheKeyFor(kernel: Kernel | (() => Kernel), env: Environment, uname: Uname, real: boolean): CacheKey | null {
  if (env.bootId === null) return null;
  let seccomp = `${env.seccomp.mode}/${env.seccomp.filters}`;
  if (env.seccomp.mode === 2) {
    const f = fingerprint(typeof kernel === 'function' ? kernel() : kernel);
    if (f === null) return null;
    seccomp += `/${f}`;
  }
  return {
    bootId: env.bootId, release: uname.release, uid: env.euid, paranoid: env.paranoid,
    capabilities: env.capabilities.effective, seccomp, facts: factsDigest(env, real),
    engineVersion: engineVersion(),
  };
}

/** The behaviour answers' key: the map's, and the sampling rate limit they depend on. */
export function behaviourKeyFor(key: CacheKey, real: boolean): CacheKey {
  return real ? { ...key, sampleRate: readMaxSampleRate() } : key;
}

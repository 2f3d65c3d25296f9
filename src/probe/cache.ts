/**
 * The capability-map cache: one JSON file per key (boot id, kernel release,
 * uid, perf_event_paranoid, effective capabilities, seccomp state and what the
 * filter refuses, the facts answers depend on — tracefs, PMUs, sysctls — and
 * engine version; see cache-key.ts) in $XDG_CACHE_HOME/perfcompat, else
 * $HOME/.cache/perfcompat (none when HOME is empty or relative). The directory
 * is opened safely (cache-dir.ts), 0700; files 0600, written to a temporary
 * file and renamed; stale temporary files of killed writers are removed. A
 * file that is a symlink, not regular, not owned by this user, writable by
 * others, too big, corrupt, of another schema (checked against the shipped
 * JSON schema, cache-schema.ts) or another key is ignored (said under
 * DEBUG=perfcompat:cache) and replaced. Maps with `error` entries are never written. Behaviour answers (behaviour.*) have a file of
 * their own (behaviour-<hash>.json), so running checks never rewrites the map.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { invalidArgument } from '../abi/args';
import { READ_LIMITS, readTextBounded } from '../env/bounded-read';
import { logger } from '../sys/log';
import { CAPABILITY_SCHEMA, type CapabilityMap, type FeatureEntry } from '../model/capability-map';
import { withCurrentIds } from '../model/feature-aliases';
import { euid, openCacheDir, removeStaleTemps, type CacheDir } from './cache-dir';
import { entrySchemaError, mapSchemaError } from './cache-schema';

const log = logger('cache');

export interface CacheKey {
  bootId: string;
  release: string;
  uid: number;
  paranoid: number | null;
  /** CapEff (hex): CAP_PERFMON or CAP_SYS_ADMIN change what is permitted. */
  capabilities?: string;
  /** Seccomp mode and filter count, and under a filter what it refuses (cache-key.ts): another filter must not reuse the map. */
  seccomp?: string;
  /** Digest of the facts answers depend on: tracefs mounted and readable, PMUs and their types, nmi_watchdog, perf_user_access. */
  facts?: string;
  /** perf_event_max_sample_rate: in the behaviour answers' key only (the sampling checks depend on it). */
  sampleRate?: number | null;
  engineVersion: string;
}

interface CacheFile {
  schema: typeof CAPABILITY_SCHEMA;
  key: CacheKey;
  map: CapabilityMap;
}

/** $XDG_CACHE_HOME/perfcompat (when absolute), else $HOME/.cache/perfcompat; null (no cache) when HOME is empty or relative. */
export function defaultCacheDir(): string | null {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'perfcompat');
  let home: string;
  try {
    home = process.env.HOME !== undefined ? process.env.HOME : os.homedir();
  } catch {
    return null;
  }
  if (!home || !path.isAbsolute(home)) {
    if (log.enabled) log('no cache: HOME is %s, not an absolute path', JSON.stringify(home).slice(0, 80));
    return null;
  }
  return path.join(home, '.cache', 'perfcompat');
}

export function cacheFile(dir: string, key: CacheKey): string {
  cacheArgs('cacheFile', dir, key);
  return path.join(dir, cacheName(key));
}

function cacheName(key: CacheKey): string {
  const h = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 20);
  return `capabilities-${h}.json`;
}

function ignore(file: string, why: string): null {
  if (log.enabled) log('ignoring cache file %s: %s', file, why);
  return null;
}

/** The parsed JSON of a cache file this user may trust, or null (said under DEBUG). Never throws. */
function readTrusted(d: CacheDir, name: string): unknown {
  const file = path.join(d.path, name);
  let fd: number | undefined;
  try {
    fd = fs.openSync(d.at(name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return ignore(file, 'not a regular file');
    if (st.uid !== euid()) return ignore(file, `owned by uid ${st.uid}, not ${euid()}`);
    if ((st.mode & 0o022) !== 0) return ignore(file, `writable by others (mode ${(st.mode & 0o777).toString(8)})`);
    const text = readTextBounded(fd, READ_LIMITS.dump, 'capability map', file);
    try {
      return JSON.parse(text);
    } catch {
      return ignore(file, 'corrupt JSON');
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return ignore(file, 'it is a symlink');
    if (code !== 'ENOENT' && log.enabled) log('cannot read cache file %s: %s', file, (err as Error).message);
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Run `fn` with the cache directory opened safely (null when it is missing or unsafe). Never throws. */
function inDir<T>(dir: string, create: boolean, fn: (d: CacheDir) => T, none: T): T {
  const d = openCacheDir(dir, create);
  if (d === null) return none;
  try {
    return fn(d);
  } finally {
    d.close();
  }
}

function cacheArgs(fn: string, dir: unknown, key: unknown): void {
  if (typeof dir !== 'string' || dir === '' || dir.length > 4096 || dir.includes('\0')) throw invalidArgument(fn, 'dir', dir, 'a directory path');
  if (key === null || typeof key !== 'object' || Array.isArray(key)) throw invalidArgument(fn, 'key', key, 'a cache key { bootId, release, uid, paranoid, engineVersion }');
  const k = key as Record<string, unknown>;
  for (const [f, t] of [['bootId', 'string'], ['release', 'string'], ['uid', 'number'], ['engineVersion', 'string']] as const) {
    if (typeof k[f] !== t) throw invalidArgument(fn, `key.${f}`, k[f], `a ${t}`);
  }
  for (const [f, v] of Object.entries(k)) {
    if (v !== null && !['string', 'number', 'boolean', 'undefined'].includes(typeof v)) throw invalidArgument(fn, `key.${f.slice(0, 40)}`, v, 'a string, number, boolean or null');
  }
}

const isBehaviourId = (id: string): boolean => id.startsWith('behaviour.');

/** The cached map for the key, or null (missing, untrusted, stale or not of the schema). Never throws on a file; bad arguments are a PerfcompatError. */
export function readCache(dir: string, key: CacheKey): CapabilityMap | null {
  cacheArgs('readCache', dir, key);
  return inDir(dir, false, (d) => readMap(d, key), null);
}

function readMap(d: CacheDir, key: CacheKey): CapabilityMap | null {
  const name = cacheName(key);
  const file = path.join(d.path, name);
  const c = readTrusted(d, name) as Partial<CacheFile> | null;
  if (c === null) return null;
  if (typeof c !== 'object' || c.schema !== CAPABILITY_SCHEMA || !c.map || c.map.schema !== CAPABILITY_SCHEMA) {
    return ignore(file, 'another schema');
  }
  if (JSON.stringify(c.key) !== JSON.stringify(key)) return ignore(file, 'made for another key');
  const bad = mapSchemaError(c.map);
  if (bad !== null) return ignore(file, `does not match the capability schema (${bad})`);
  if (Object.values(c.map.features).some((e) => e.status === 'error')) return ignore(file, 'transient entries');
  // Behaviour answers live in their own file: an older file that mixed them in is served without them.
  if (Object.keys(c.map.features).some(isBehaviourId)) {
    c.map.features = Object.fromEntries(Object.entries(c.map.features).filter(([id]) => !isBehaviourId(id)));
  }
  if (log.enabled) log('served from %s', file);
  return { ...withCurrentIds(c.map), source: 'cache' };
}

/** The behaviour answers file of a key: apart from the ABI map, so running checks never rewrites it. */
export function behaviourCacheFile(dir: string, key: CacheKey): string {
  return path.join(dir, behaviourName(key));
}

function behaviourName(key: CacheKey): string {
  return cacheName(key).replace(/^capabilities-/, 'behaviour-');
}

interface BehaviourFile {
  schema: typeof CAPABILITY_SCHEMA;
  key: CacheKey;
  behaviour: Record<string, FeatureEntry>;
}

/** The cached behaviour answers for the key ({} when none or untrusted). Never throws. */
export function readBehaviourCache(dir: string, key: CacheKey): Record<string, FeatureEntry> {
  return inDir(dir, false, (d) => {
    const file = path.join(d.path, behaviourName(key));
    const c = readTrusted(d, behaviourName(key)) as Partial<BehaviourFile> | null;
    if (c === null) return {};
    if (typeof c !== 'object' || c.schema !== CAPABILITY_SCHEMA || JSON.stringify(c.key) !== JSON.stringify(key)
      || typeof c.behaviour !== 'object' || c.behaviour === null) {
      ignore(file, 'another schema or key');
      return {};
    }
    const out: Record<string, FeatureEntry> = {};
    for (const [id, e] of Object.entries(c.behaviour)) {
      const bad = entrySchemaError(e, id);
      if (bad !== null) ignore(file, `entry ${id.slice(0, 60)}: ${bad}`);
      else if (isBehaviourId(id) && e.status !== 'error') out[id] = e;
    }
    return out;
  }, {});
}

/** Write the behaviour answers for the key (never `error` ones). Never throws. */
export function writeBehaviourCache(dir: string, key: CacheKey, answers: Record<string, FeatureEntry>): boolean {
  const behaviour = Object.fromEntries(Object.entries(answers).filter(([id, e]) => isBehaviourId(id) && e.status !== 'error'));
  const body: BehaviourFile = { schema: CAPABILITY_SCHEMA, key, behaviour };
  return writeAtomic(dir, behaviourName(key), JSON.stringify(body));
}

/** Write the map for the key. Returns false (and says why under DEBUG) when it did not. Never throws on the file system. */
export function writeCache(dir: string, key: CacheKey, map: CapabilityMap): boolean {
  cacheArgs('writeCache', dir, key);
  if (Object.values(map.features).some((e) => e.status === 'error')) {
    if (log.enabled) log('not caching: the map has error entries');
    return false;
  }
  const features = Object.fromEntries(Object.entries(map.features).filter(([id]) => !isBehaviourId(id)));
  const body: CacheFile = { schema: CAPABILITY_SCHEMA, key, map: { ...map, features, source: 'probe' } };
  return writeAtomic(dir, cacheName(key), JSON.stringify(body));
}

function writeAtomic(dir: string, name: string, text: string): boolean {
  const tmpName = `${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  return inDir(dir, true, (d) => {
    const file = path.join(d.path, name);
    removeStaleTemps(d);
    try {
      const fd = fs.openSync(d.at(tmpName), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      try {
        fs.writeFileSync(fd, text);
        fs.fchmodSync(fd, 0o600);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(d.at(tmpName), d.at(name));
      if (log.enabled) log('wrote %s', file);
      return true;
    } catch (err) {
      if (log.enabled) log('cannot write cache file %s: %s', file, (err as Error).message);
      try { fs.unlinkSync(d.at(tmpName)); } catch { /* not created */ }
      return false;
    }
  }, false);
}

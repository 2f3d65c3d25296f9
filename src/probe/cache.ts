/**
 * The capability-map cache: one JSON file per key (boot id, kernel release,
 * uid, perf_event_paranoid, effective capabilities, seccomp state, engine
 * version) in $XDG_CACHE_HOME/perfcompat,
 * else ~/.cache/perfcompat. Directory 0700, file 0600, written to a temporary
 * file and renamed. A file that is a symlink, not owned by this user,
 * writable by others, corrupt, of another schema or another key is ignored
 * (said under DEBUG=perfcompat:cache) and replaced. Maps with `error`
 * entries are never written. Behaviour answers (behaviour.*) have a file of
 * their own (behaviour-<hash>.json), so running checks never rewrites the map.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { logger } from '../sys/log';
import { CAPABILITY_SCHEMA, type CapabilityMap, type FeatureEntry } from '../model/capability-map';
import { withCurrentIds } from '../model/feature-aliases';

const log = logger('cache');

export interface CacheKey {
  bootId: string;
  release: string;
  uid: number;
  paranoid: number | null;
  /** CapEff (hex): CAP_PERFMON or CAP_SYS_ADMIN change what is permitted. */
  capabilities?: string;
  /** Seccomp mode and filter count: a filtered process must not reuse an unfiltered map. */
  seccomp?: string;
  engineVersion: string;
}

interface CacheFile {
  schema: typeof CAPABILITY_SCHEMA;
  key: CacheKey;
  map: CapabilityMap;
}

export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'perfcompat');
}

export function cacheFile(dir: string, key: CacheKey): string {
  const h = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 20);
  return path.join(dir, `capabilities-${h}.json`);
}

function uid(): number {
  return typeof process.geteuid === 'function' ? process.geteuid() : -1;
}

function ignore(file: string, why: string): null {
  if (log.enabled) log('ignoring cache file %s: %s', file, why);
  return null;
}

/** The parsed JSON of a cache file this user may trust, or null (said under DEBUG). Never throws. */
function readTrusted(file: string): unknown {
  let fd: number | undefined;
  try {
    const l = fs.lstatSync(file);
    if (l.isSymbolicLink()) return ignore(file, 'it is a symlink');
    if (!l.isFile()) return ignore(file, 'not a regular file');
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    if (st.uid !== uid()) return ignore(file, `owned by uid ${st.uid}, not ${uid()}`);
    if ((st.mode & 0o022) !== 0) return ignore(file, `writable by others (mode ${(st.mode & 0o777).toString(8)})`);
    const text = fs.readFileSync(fd, 'utf8');
    try {
      return JSON.parse(text);
    } catch {
      return ignore(file, 'corrupt JSON');
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && log.enabled) log('cannot read cache file %s: %s', file, (err as Error).message);
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const isBehaviourId = (id: string): boolean => id.startsWith('behaviour.');

/** The cached map for the key, or null (missing, untrusted or stale). Never throws. It holds no behaviour.* entries. */
export function readCache(dir: string, key: CacheKey): CapabilityMap | null {
  const file = cacheFile(dir, key);
  const c = readTrusted(file) as Partial<CacheFile> | null;
  if (c === null) return null;
  if (typeof c !== 'object' || c.schema !== CAPABILITY_SCHEMA || !c.map || c.map.schema !== CAPABILITY_SCHEMA) {
    return ignore(file, 'another schema');
  }
  if (JSON.stringify(c.key) !== JSON.stringify(key)) return ignore(file, 'made for another key');
  if (typeof c.map.features !== 'object' || c.map.features === null) return ignore(file, 'no features');
  if (Object.values(c.map.features).some((e) => !e || typeof e.status !== 'string' || e.status === 'error')) {
    return ignore(file, 'malformed or transient entries');
  }
  // Behaviour answers live in their own file: an older file that mixed them in is served without them.
  if (Object.keys(c.map.features).some(isBehaviourId)) {
    c.map.features = Object.fromEntries(Object.entries(c.map.features).filter(([id]) => !isBehaviourId(id)));
  }
  if (log.enabled) log('served from %s', file);
  return { ...withCurrentIds(c.map), source: 'cache' };
}

/** The behaviour answers file of a key: apart from the ABI map, so running checks never rewrites it. */
export function behaviourCacheFile(dir: string, key: CacheKey): string {
  return cacheFile(dir, key).replace(/capabilities-([0-9a-f]+)\.json$/, 'behaviour-$1.json');
}

interface BehaviourFile {
  schema: typeof CAPABILITY_SCHEMA;
  key: CacheKey;
  behaviour: Record<string, FeatureEntry>;
}

/** The cached behaviour answers for the key ({} when none or untrusted). Never throws. */
export function readBehaviourCache(dir: string, key: CacheKey): Record<string, FeatureEntry> {
  const file = behaviourCacheFile(dir, key);
  const c = readTrusted(file) as Partial<BehaviourFile> | null;
  if (c === null) return {};
  if (typeof c !== 'object' || c.schema !== CAPABILITY_SCHEMA || JSON.stringify(c.key) !== JSON.stringify(key)
    || typeof c.behaviour !== 'object' || c.behaviour === null) {
    ignore(file, 'another schema or key');
    return {};
  }
  const out: Record<string, FeatureEntry> = {};
  for (const [id, e] of Object.entries(c.behaviour)) {
    if (isBehaviourId(id) && e && typeof e.status === 'string' && e.status !== 'error') out[id] = e;
  }
  return out;
}

/** Write the behaviour answers for the key (never `error` ones). Never throws. */
export function writeBehaviourCache(dir: string, key: CacheKey, answers: Record<string, FeatureEntry>): boolean {
  const behaviour = Object.fromEntries(Object.entries(answers).filter(([id, e]) => isBehaviourId(id) && e.status !== 'error'));
  const body: BehaviourFile = { schema: CAPABILITY_SCHEMA, key, behaviour };
  return writeAtomic(dir, behaviourCacheFile(dir, key), JSON.stringify(body));
}

function ensureDir(dir: string): boolean {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) {
    if (log.enabled) log('cache dir %s is not a directory (symlink?): not writing', dir);
    return false;
  }
  if (st.uid !== uid()) {
    if (log.enabled) log('cache dir %s is owned by uid %d: not writing', dir, st.uid);
    return false;
  }
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  return true;
}

/** Write the map for the key. Returns false (and says why under DEBUG) when it did not. Never throws. */
export function writeCache(dir: string, key: CacheKey, map: CapabilityMap): boolean {
  if (Object.values(map.features).some((e) => e.status === 'error')) {
    if (log.enabled) log('not caching: the map has error entries');
    return false;
  }
  const features = Object.fromEntries(Object.entries(map.features).filter(([id]) => !isBehaviourId(id)));
  const body: CacheFile = { schema: CAPABILITY_SCHEMA, key, map: { ...map, features, source: 'probe' } };
  return writeAtomic(dir, cacheFile(dir, key), JSON.stringify(body));
}

function writeAtomic(dir: string, file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    if (!ensureDir(dir)) return false;
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    try {
      fs.writeFileSync(fd, text);
      fs.fchmodSync(fd, 0o600);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    if (log.enabled) log('wrote %s', file);
    return true;
  } catch (err) {
    if (log.enabled) log('cannot write cache file %s: %s', file, (err as Error).message);
    try { fs.unlinkSync(tmp); } catch { /* not created */ }
    return false;
  }
}

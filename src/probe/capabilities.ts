/**
 * The public API: getCapabilities() (the whole map), supports(id) and
 * feature(id) (one answer, probing only what it needs when no full map
 * exists). Synchronous. The real kernel's map is cached on disk (see cache.ts)
 * and in memory for the life of the process; any other kernel (passed with
 * its environment and uname) is probed afresh unless `cache` says otherwise.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { invalidArgument } from '../abi/args';
import { readEnvironment, readUname } from '../env/environment';
import { PerfcompatError } from '../errors';
import type { Kernel } from '../sys/kernel';
import { installedCatalogue } from './catalogue';
import { defaultCacheDir, readBehaviourCache, readCache, writeBehaviourCache, writeCache, type CacheKey } from './cache';
import type { ProbeDeclaration } from './declaration';
import { engineVersion } from './engine-version';
import { behaviourKeyFor, cacheKeyFor } from './cache-key';
import type { ProbeRun } from './engine';
import type { BehaviourStore } from './behaviour-runner';
import { canonicalFeatureId, deprecatedIdNote } from '../model/feature-aliases';
import { CAPABILITY_SCHEMA, type CapabilityMap, type Environment, type FeatureEntry, type Uname } from '../model/capability-map';

// A map served from the cache (memory or disk) needs none of the following:
// they are required on first use, so that such a start-up loads neither the
// engine, the behaviour checks, the declarations (src/root hands the catalogue
// over as a loader) nor the kernel bindings (koffi).
const engine = (): typeof import('./engine') => required('the probe engine', () => require('./engine'));
const behaviourRunner = (): typeof import('./behaviour-runner') => required('the behaviour checks', () => require('./behaviour-runner'));
const annotation = (): typeof import('./annotate') => required('annotate', () => require('./annotate'));
const availability = (): typeof import('./availability') => required('availability', () => require('./availability'));
let theRealKernel: Kernel | undefined;
function realKernel(): Kernel {
  return (theRealKernel ??= required('the kernel bindings', () => (require('../sys/real-kernel') as typeof import('../sys/real-kernel')).realKernel()));
}

/**
 * A module first needed now. Out of file descriptors, require() itself fails:
 * that is a PerfcompatError naming the fault, as the probes' own faults of
 * the moment are, and a later call loads the module again.
 */
function required<T>(what: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EMFILE' || code === 'ENFILE') {
      throw new PerfcompatError('ERR_KERNEL', `cannot load ${what}: ${code} (too many open files); close some and call again`, { errnoName: code, cause: err });
    }
    throw err;
  }
}
let mainline: Map<string, string | undefined> | undefined;
/** The release an ABI feature came in, from src/abi/features. */
function abiMainline(id: string): string | undefined {
  mainline ??= new Map(required('the ABI feature table', () => require('../abi/features') as typeof import('../abi/features')).ABI_FEATURES.map((f) => [f.id, f.mainline]));
  return mainline.get(id);
}

export interface ProbeOptions {
  /** The kernel to ask; default the real one. */
  kernel?: Kernel;
  /** Facts about the box; default readEnvironment(). Pass another kernel's with it. */
  environment?: Environment;
  /** Default os.release()/version()/machine(). */
  uname?: Uname;
  /** Probe again, ignoring the memory and disk caches (the result is still written). */
  refresh?: boolean;
  /** Disk cache: default on for the real kernel only; { dir } to choose the directory. */
  cache?: boolean | { dir: string };
  /** Also run the behaviour checks (behaviour.*), when they are available. */
  behaviour?: boolean;
  /** Replace the catalogue (tests: inject a declaration). */
  catalogue?: readonly ProbeDeclaration[];
}

interface Session {
  /** The kernel to probe: the real one is loaded on first call. */
  kernel(): Kernel;
  /** What the memory is kept under: the kernel passed, or REAL for the real one. */
  owner: object;
  env: Environment;
  uname: Uname;
  real: boolean;
  cacheDir: string | null;
  key: CacheKey | null;
  /** The catalogue for this environment, built on first call (only probing needs it). */
  decls(): readonly ProbeDeclaration[];
}

/** The memory key of the real kernel, which is not loaded on a cache hit. */
const REAL: object = { kernel: 'real' };

let processEnv: Environment | undefined;
let processUname: Uname | undefined;
const catalogues = new WeakMap<Environment, readonly ProbeDeclaration[]>();

/** Per-kernel memory (REAL for the real one): the full map, or the entries answered so far. */
const memory = new WeakMap<object, Memory>();

interface Memory {
  map?: CapabilityMap;
  run?: ProbeRun;
  key: string;
  /** Behaviour answers, apart from the map (never `error` ones); loaded from their own cache file once. */
  behaviour?: Record<string, FeatureEntry>;
}

/** The key of (kernel, environment, uname), made once per environment read (it may open a few events under seccomp). */
const keys = new WeakMap<Environment, { owner: object; uname: Uname; key: CacheKey | null }>();

function keyFor(owner: object, kernel: () => Kernel, env: Environment, uname: Uname, real: boolean): CacheKey | null {
  const k = keys.get(env);
  if (k && k.owner === owner && k.uname === uname) return k.key;
  const key = cacheKeyFor(kernel, env, uname, real);
  keys.set(env, { owner, uname, key });
  return key;
}

function session(opts: ProbeOptions): Session {
  if (opts.kernel === undefined && process.platform !== 'linux') {
    throw new PerfcompatError('ERR_PERF_UNAVAILABLE', `perf_event_open is not usable here: this is ${process.platform}, not Linux`);
  }
  const real = opts.kernel === undefined;
  const given = opts.kernel;
  const kernel = given === undefined ? realKernel : () => given;
  const owner = given ?? REAL;
  // This process's environment is read once (again on refresh), so that
  // repeated supports() calls cost a map lookup, not a sysfs walk.
  if (opts.environment === undefined && (opts.refresh || processEnv === undefined)) processEnv = readEnvironment();
  const env = opts.environment ?? processEnv!;
  const uname = opts.uname ?? (processUname ??= readUname());
  const wantCache = opts.cache === undefined ? real : opts.cache !== false;
  const cacheDir = !wantCache ? null : typeof opts.cache === 'object' ? opts.cache.dir : defaultCacheDir();
  const key = keyFor(owner, kernel, env, uname, real);
  const decls = (): readonly ProbeDeclaration[] => {
    if (opts.catalogue !== undefined) return opts.catalogue;
    let d = catalogues.get(env);
    if (d === undefined) {
      d = required('the probe declarations', () => installedCatalogue().declarations(env));
      catalogues.set(env, d);
    }
    return d;
  };
  return { kernel, owner, env, uname, real, cacheDir, key, decls };
}

function memoryFor(s: Session) {
  const k = JSON.stringify(s.key) + s.uname.release;
  let m = memory.get(s.owner);
  if (!m || m.key !== k) {
    m = { key: k };
    memory.set(s.owner, m);
  }
  return m;
}

function buildMap(s: Session, run: ProbeRun, ids: readonly string[], started: number): CapabilityMap {
  const { annotate, coerceRelease } = annotation();
  const kernelSemver = coerceRelease(s.uname.release);
  const byId = new Map<string, ProbeDeclaration>(s.decls().map((d) => [d.id, d]));
  const features: Record<string, FeatureEntry> = {};
  for (const id of ids) {
    const e = run.results().get(id);
    if (e) features[id] = annotate(e, abiMainline(id) ?? byId.get(id)?.mainline, kernelSemver);
  }
  return {
    schema: CAPABILITY_SCHEMA,
    engineVersion: engineVersion(),
    kernel: { release: s.uname.release, version: s.uname.version, machine: s.uname.machine, semver: kernelSemver },
    environment: s.env,
    features,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    createdAt: new Date().toISOString(),
    source: 'probe',
  };
}

/**
 * The behaviour answers of this kernel, kept apart from its map: in memory and
 * in their own cache file (cache.ts). A refresh forgets them.
 */
function behaviourStore(s: Session, mem: Memory, refresh: boolean): BehaviourStore {
  if (refresh || mem.behaviour === undefined) {
    mem.behaviour = !refresh && s.cacheDir !== null && s.key !== null ? readBehaviourCache(s.cacheDir, behaviourKeyFor(s.key, s.real)) : {};
  }
  const answers = mem.behaviour;
  return {
    get: (id) => answers[id],
    set: (id, e) => {
      answers[id] = e;
      if (s.cacheDir !== null && s.key !== null) writeBehaviourCache(s.cacheDir, behaviourKeyFor(s.key, s.real), answers);
    },
  };
}

/**
 * Probe everything (or serve the cache): the capability map of this kernel.
 * With `behaviour`, a fresh map object whose features also hold the
 * behaviour.* answers; the plain map (and its cache) never holds them, and no
 * map returned is changed afterwards.
 */
export function getCapabilities(optsIn?: ProbeOptions): CapabilityMap {
  if (optsIn !== undefined && (optsIn === null || typeof optsIn !== 'object' || Array.isArray(optsIn))) throw invalidArgument('getCapabilities', 'opts', optsIn, 'an options object or undefined');
  const opts = optsIn ?? {};
  const s = session(opts);
  const map = probedCapabilities(s, opts);
  if (!opts.behaviour) return map;
  const answers = behaviourRunner().behaviourAnswers(map, s.kernel(), behaviourStore(s, memoryFor(s), opts.refresh === true));
  return { ...map, features: { ...map.features, ...answers } };
}

function probedCapabilities(s: Session, opts: ProbeOptions): CapabilityMap {
  const mem = memoryFor(s);
  if (!opts.refresh && opts.catalogue === undefined && mem.map) return mem.map;
  if (!opts.refresh && s.cacheDir !== null && s.key !== null) {
    const cached = readCache(s.cacheDir, s.key);
    if (cached) {
      mem.map = cached;
      return cached;
    }
  }
  const started = performance.now();
  const decls = s.decls();
  const run = new (engine().ProbeRun)(s.kernel(), s.env, decls);
  try {
    availability().assertPerfUsable(run);
    for (const d of decls) run.entry(d.id);
  } finally {
    run.dispose();
  }
  const map = buildMap(s, run, decls.map((d) => d.id), started);
  if (s.cacheDir !== null && s.key !== null) writeCache(s.cacheDir, s.key, map);
  // Later calls in this process are served from memory: a cache too.
  if (opts.catalogue === undefined && !Object.values(map.features).some((e) => e.status === 'error')) mem.map = { ...map, source: 'cache' };
  mem.run = undefined;
  return map;
}

/** One feature's entry: from the full map when there is one, else probing only what it needs. */
export function feature(asked: string, optsIn?: ProbeOptions): FeatureEntry {
  featureArgs('feature', asked, optsIn);
  const opts = optsIn ?? {};
  const id = canonicalFeatureId(asked);
  const old = deprecatedIdNote(asked);
  if (old !== undefined) {
    const e = currentFeature(id, opts);
    return { ...e, reason: e.reason ? `${e.reason} (${old})` : old };
  }
  return currentFeature(id, opts);
}

function currentFeature(id: string, opts: ProbeOptions): FeatureEntry {
  const s = session(opts);
  const mem = memoryFor(s);
  if (id.startsWith('behaviour.')) {
    return behaviourRunner().ensureBehaviour(id, { kernel: s.kernel(), store: behaviourStore(s, mem, opts.refresh === true), ...(mem.map ? { capabilities: mem.map } : {}) });
  }
  if (!opts.refresh) {
    const have = mem.map ?? (s.cacheDir !== null && s.key !== null ? readCache(s.cacheDir, s.key) : null);
    if (have) {
      mem.map = have;
      const e = have.features[id];
      if (e) return e;
    }
  }
  if (!s.decls().some((d) => d.id === id)) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `feature "${id}": unknown feature id; ids look like attr.sigtrap, read_format.lost, sample_type.weight_struct, event.hardware.cpu_cycles, combo.precise_ip (see getCapabilities().features)`);
  }
  const run = opts.refresh || !mem.run ? new (engine().ProbeRun)(s.kernel(), s.env, s.decls()) : mem.run;
  mem.run = run;
  const started = performance.now();
  try {
    if (run.results().size === 0) availability().assertPerfUsable(run);
    run.entry(id);
  } finally {
    run.dispose();
  }
  return buildMap(s, run, [id], started).features[id];
}

/** true when the feature is supported on this kernel for this caller. */
export function supports(id: string, opts?: ProbeOptions): boolean {
  featureArgs('supports', id, opts);
  return feature(id, opts).status === 'supported';
}

/** A feature id (a short string) and an options object. */
function featureArgs(fn: string, id: unknown, opts: unknown): void {
  if (typeof id !== 'string' || id.length > 200) throw invalidArgument(fn, 'id', id, 'a feature id such as "attr.sigtrap" (a string of at most 200 characters)');
  if (opts !== undefined && (opts === null || typeof opts !== 'object' || Array.isArray(opts))) throw invalidArgument(fn, 'opts', opts, 'an options object or undefined');
}

/** Forget the in-memory maps (tests; a long-running process after a sysctl change). */
export function forgetCapabilities(kernel?: Kernel): void {
  processEnv = undefined;
  if (kernel === undefined || kernel === theRealKernel) memory.delete(REAL);
  if (kernel !== undefined) memory.delete(kernel);
}

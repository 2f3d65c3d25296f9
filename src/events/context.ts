/**
 * What one resolution call knows about the machine: its PMUs and tracefs.
 * For this machine they are read lazily from sysfs through src/env and
 * memoised for the duration of the call (a list of many events reads each
 * PMU once); for another kernel's map (a --from dump, a simulated kernel)
 * they come from the map's environment, never from this machine's /sys.
 */
import { corePmus } from '../env/core-pmu';
import { DEFAULT_SYSFS_EVENT_SOURCE, listPmuNames, pmuFactsGeneration, pmuFilesOf, readPmuFiles, PmuFiles } from '../env/pmus';
import { findTracefs, TracefsLookup } from '../env/tracefs';
import { parseCpuList } from '../env/proc-tasks';
import { isThisBoot } from '../env/this-boot';
import type { CapabilityMap, Environment } from '../model/capability-map';
import type { EventNameOptions } from './types';

interface RootCache {
  /** The PMU names under the root, read once. */
  names: string[];
  /** pmuFactsGeneration() when they were read. */
  generation: number;
  pmus: Map<string, PmuFiles | undefined>;
  /** The core PMUs among them, once asked. */
  cores?: PmuFiles[];
  /** Event texts resolved against them (what resolve-one found, before modifiers of a group), by text. */
  resolved: Map<string, unknown>;
}

/** At most this many texts are remembered per root (then forgotten all at once). */
const MAX_RESOLVED = 1024;

/**
 * PMU names and files per sysfs root, read once per process: a resolution
 * that finds them here makes no system call. They are read again with
 * `refresh`, after src/env declares them stale (invalidatePmuFacts, or an
 * open refused with ENOENT for a PMU type read here), and when a name is not
 * found among them (a PMU or event may have appeared since: rescan()).
 */
const CACHE = new Map<string, RootCache>();
const MAX_ROOTS = 16;

/** The environment names resolve against, or undefined for a sysfs tree (see EventNameOptions.environment). */
export function describedEnvironment(opts: EventNameOptions): Environment | undefined {
  if (opts.environment !== undefined) return opts.environment;
  if (opts.sysfsRoot !== undefined) return undefined;
  const env = opts.capabilities?.environment;
  return env !== undefined && !isThisBoot(env) ? env : undefined;
}

export class ResolveContext {
  readonly sysfsRoot: string;
  readonly tracefsRoot: string | undefined;
  readonly capabilities: CapabilityMap | undefined;
  /** Set when names resolve against a described machine rather than this one's sysfs. */
  readonly environment: Environment | undefined;
  private readonly refresh: boolean;
  private names: string[] | undefined;
  private pmus = new Map<string, PmuFiles | undefined>();
  private trace: TracefsLookup | undefined;
  /** This resolution read the PMU list itself (a miss then is a real miss). */
  private fresh = false;

  constructor(opts: EventNameOptions = {}) {
    this.sysfsRoot = opts.sysfsRoot ?? DEFAULT_SYSFS_EVENT_SOURCE;
    this.tracefsRoot = opts.tracefsRoot;
    this.capabilities = opts.capabilities;
    this.environment = describedEnvironment(opts);
    this.refresh = opts.refresh === true;
  }

  /** Where the PMUs come from, for messages: "under /sys/…" or "in the capability map's environment". */
  pmuSource(): string {
    return this.environment ? "in the capability map's environment" : `under ${this.sysfsRoot}`;
  }

  /** PMU names (read once per context), binding the sysfs cache for that list. */
  pmuNames(): string[] {
    if (this.names !== undefined) return this.names;
    if (this.environment) {
      for (const info of this.environment.pmus) if (!this.pmus.has(info.name)) this.pmus.set(info.name, pmuFilesOf(info));
      this.names = [...this.pmus.keys()].sort();
      return this.names;
    }
    let cached = CACHE.get(this.sysfsRoot);
    if (!cached || cached.generation !== pmuFactsGeneration() || (this.refresh && !this.fresh)) cached = this.readRoot();
    this.names = cached.names;
    this.pmus = cached.pmus;
    return this.names;
  }

  /** List the root's PMUs afresh (their files are then read again as they are asked for). */
  private readRoot(names: string[] = listPmuNames(this.sysfsRoot)): RootCache {
    const generation = pmuFactsGeneration();
    const cached: RootCache = { names, generation, pmus: new Map(), resolved: new Map() };
    if (!CACHE.has(this.sysfsRoot) && CACHE.size >= MAX_ROOTS) CACHE.delete(CACHE.keys().next().value!);
    CACHE.set(this.sysfsRoot, cached);
    this.fresh = true;
    return cached;
  }

  /**
   * A name was not found among PMU facts read earlier: list the PMUs again
   * (once per resolution) and, when the list changed (a PMU registered or
   * gone), read them afresh and say to look again. False when the list is
   * the same, was read by this resolution already, or comes from a described
   * environment. (A registered PMU's files do not change.)
   */
  rescan(): boolean {
    if (this.environment || this.fresh) return false;
    this.fresh = true;
    const names = listPmuNames(this.sysfsRoot);
    if (this.names !== undefined && names.join('\0') === this.names.join('\0')) return false;
    const cached = this.readRoot(names);
    this.names = cached.names;
    this.pmus = cached.pmus;
    return true;
  }

  pmu(name: string): PmuFiles | undefined {
    if (!this.pmuNames().includes(name)) return undefined;
    if (!this.pmus.has(name)) this.pmus.set(name, readPmuFiles(name, this.sysfsRoot));
    return this.pmus.get(name);
  }

  /** Core PMUs (generic hardware events map to them), by src/env's one core-PMU rule. */
  corePmus(): PmuFiles[] {
    this.pmuNames();
    const cached = this.environment ? undefined : CACHE.get(this.sysfsRoot);
    if (cached?.cores && cached.pmus === this.pmus) return cached.cores;
    const all: PmuFiles[] = [];
    for (const n of this.pmuNames()) {
      const p = this.pmu(n);
      if (p && p.type !== null) all.push(p);
    }
    const cores = corePmus(all);
    if (cached && cached.pmus === this.pmus) cached.cores = cores;
    return cores;
  }

  /** The core PMU of the boot CPU (CPU 0), else the first. */
  bootCorePmu(): PmuFiles | undefined {
    const cores = this.corePmus();
    return cores.find((p) => p.cpus !== undefined && parseCpuList(p.cpus).includes(0)) ?? cores[0];
  }

  /** The root's cache this context reads, when it reads sysfs (not a described environment). */
  private rootCache(): RootCache | undefined {
    if (this.environment) return undefined;
    this.pmuNames();
    const cached = CACHE.get(this.sysfsRoot);
    return cached && cached.pmus === this.pmus ? cached : undefined;
  }

  /** What `text` resolved to earlier under the same PMU facts (a copy is the caller's to make). */
  remembered(text: string): unknown {
    return this.rootCache()?.resolved.get(text);
  }

  /** Remember what `text` resolved to, for later resolutions under the same PMU facts. */
  remember(text: string, value: unknown): void {
    const cached = this.rootCache();
    if (!cached) return;
    if (cached.resolved.size >= MAX_RESOLVED) cached.resolved.clear();
    cached.resolved.set(text, value);
  }

  /** How many times tracefs was asked for (what depends on it is not remembered: tracefs is read afresh). */
  tracefsAsked = 0;

  /** tracefs: tracefsRoot, else the described machine's (none when it had none), else this machine's. */
  tracefs(): TracefsLookup {
    this.tracefsAsked++;
    if (this.trace) return this.trace;
    const described = this.tracefsRoot === undefined && this.environment ? this.environment.tracefs : undefined;
    this.trace = described === null
      ? { ok: false, problem: 'not-mounted', detail: "the capability map's environment has no tracefs" }
      : findTracefs(this.tracefsRoot ?? described);
    return this.trace;
  }
}

/**
 * What one resolution call knows about the machine: its PMUs and tracefs.
 * For this machine they are read lazily from sysfs through src/env and
 * memoised for the duration of the call (a list of many events reads each
 * PMU once); for another kernel's map (a --from dump, a simulated kernel)
 * they come from the map's environment, never from this machine's /sys.
 */
import { corePmus } from '../env/core-pmu';
import { DEFAULT_SYSFS_EVENT_SOURCE, listPmuNames, pmuFilesOf, readPmuFiles, PmuFiles } from '../env/pmus';
import { findTracefs, TracefsLookup } from '../env/tracefs';
import { parseCpuList } from '../env/proc-tasks';
import { isThisBoot } from '../env/this-boot';
import type { CapabilityMap, Environment } from '../model/capability-map';
import type { EventNameOptions } from './types';

interface RootCache {
  /** The PMU names the cached entries were read under (joined). */
  key: string;
  pmus: Map<string, PmuFiles | undefined>;
}

/**
 * PMU files per sysfs root, kept while the root's list of PMUs is unchanged
 * (PMUs appear and disappear with drivers; their files do not change while
 * registered). `refresh` drops it.
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
    this.names = listPmuNames(this.sysfsRoot);
    const key = this.names.join('\0');
    let cached = CACHE.get(this.sysfsRoot);
    if (!cached || cached.key !== key || this.refresh) {
      if (!cached && CACHE.size >= MAX_ROOTS) CACHE.delete(CACHE.keys().next().value!);
      cached = { key, pmus: new Map() };
      CACHE.set(this.sysfsRoot, cached);
    }
    this.pmus = cached.pmus;
    return this.names;
  }

  pmu(name: string): PmuFiles | undefined {
    if (!this.pmuNames().includes(name)) return undefined;
    if (!this.pmus.has(name)) this.pmus.set(name, readPmuFiles(name, this.sysfsRoot));
    return this.pmus.get(name);
  }

  /** Core PMUs (generic hardware events map to them), by src/env's one core-PMU rule. */
  corePmus(): PmuFiles[] {
    const all: PmuFiles[] = [];
    for (const n of this.pmuNames()) {
      const p = this.pmu(n);
      if (p && p.type !== null) all.push(p);
    }
    return corePmus(all);
  }

  /** The core PMU of the boot CPU (CPU 0), else the first. */
  bootCorePmu(): PmuFiles | undefined {
    const cores = this.corePmus();
    return cores.find((p) => p.cpus !== undefined && parseCpuList(p.cpus).includes(0)) ?? cores[0];
  }

  /** tracefs: tracefsRoot, else the described machine's (none when it had none), else this machine's. */
  tracefs(): TracefsLookup {
    if (this.trace) return this.trace;
    const described = this.tracefsRoot === undefined && this.environment ? this.environment.tracefs : undefined;
    this.trace = described === null
      ? { ok: false, problem: 'not-mounted', detail: "the capability map's environment has no tracefs" }
      : findTracefs(this.tracefsRoot ?? described);
    return this.trace;
  }
}

/**
 * What one resolution call knows about the machine: the sysfs PMUs and
 * tracefs, read lazily through src/env and memoised for the duration of the
 * call (a list of many events reads each PMU once).
 */
import { DEFAULT_SYSFS_EVENT_SOURCE, listPmuNames, readPmuFiles, PmuFiles } from '../env/pmu-event-files';
import { findTracefs, TracefsLookup } from '../env/tracefs';
import type { CapabilityMap } from '../model/capability-map';
import type { EventNameOptions } from './types';

/** Parse a CPU list such as "0-3,8,10-11". */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    for (let i = a; i <= b && out.length < 65536; i++) out.push(i);
  }
  return out;
}

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

export class ResolveContext {
  readonly sysfsRoot: string;
  readonly tracefsRoot: string | undefined;
  readonly capabilities: CapabilityMap | undefined;
  private readonly refresh: boolean;
  private names: string[] | undefined;
  private pmus = new Map<string, PmuFiles | undefined>();
  private trace: TracefsLookup | undefined;

  constructor(opts: EventNameOptions = {}) {
    this.sysfsRoot = opts.sysfsRoot ?? DEFAULT_SYSFS_EVENT_SOURCE;
    this.tracefsRoot = opts.tracefsRoot;
    this.capabilities = opts.capabilities;
    this.refresh = opts.refresh === true;
  }

  /** PMU names under the root (read once per context), binding the cache for that list. */
  pmuNames(): string[] {
    if (this.names === undefined) {
      this.names = listPmuNames(this.sysfsRoot);
      const key = this.names.join('\0');
      let cached = CACHE.get(this.sysfsRoot);
      if (!cached || cached.key !== key || this.refresh) {
        if (!cached && CACHE.size >= MAX_ROOTS) CACHE.delete(CACHE.keys().next().value!);
        cached = { key, pmus: new Map() };
        CACHE.set(this.sysfsRoot, cached);
      }
      this.pmus = cached.pmus;
    }
    return this.names;
  }

  pmu(name: string): PmuFiles | undefined {
    if (!this.pmuNames().includes(name)) return undefined;
    if (!this.pmus.has(name)) this.pmus.set(name, readPmuFiles(name, this.sysfsRoot));
    return this.pmus.get(name);
  }

  /**
   * Core PMUs (generic hardware events map to them): "cpu", "cpum_cf", or
   * any PMU with a `cpus` file (hybrid x86 cpu_core/cpu_atom, arm armv8_*).
   */
  corePmus(): PmuFiles[] {
    const out: PmuFiles[] = [];
    for (const n of this.pmuNames()) {
      const p = this.pmu(n);
      if (!p || p.type === null) continue;
      if (n === 'cpu' || n === 'cpum_cf' || p.cpus !== undefined) out.push(p);
    }
    return out;
  }

  /** The core PMU of the boot CPU (CPU 0), else the first. */
  bootCorePmu(): PmuFiles | undefined {
    const cores = this.corePmus();
    return cores.find((p) => p.cpus !== undefined && parseCpuList(p.cpus).includes(0)) ?? cores[0];
  }

  tracefs(): TracefsLookup {
    this.trace ??= findTracefs(this.tracefsRoot);
    return this.trace;
  }
}

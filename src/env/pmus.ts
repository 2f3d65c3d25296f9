/**
 * The one PMU reader: the event-source PMUs of a sysfs tree (default
 * /sys/bus/event_source/devices) with their type, format/ specs, events/
 * aliases (terms, .scale, .unit), caps/, cpumask and cpus. Reads lazily, per
 * PMU, and never throws for a missing or unreadable file: absent facts are
 * absent. readPmus() gives the Environment's PmuInfo list from the same
 * reads; pmuFilesOf() turns a PmuInfo (of a dump, of another kernel) back
 * into what name resolution reads, without touching this machine's sysfs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PmuEventAlias, PmuInfo } from '../model/capability-map';
import { isCorePmu } from './core-pmu';
import { listDir, readDirFiles, readTrimmed } from './read-file';

export type { PmuEventAlias } from '../model/capability-map';

export const DEFAULT_SYSFS_EVENT_SOURCE = '/sys/bus/event_source/devices';

export interface PmuFiles {
  name: string;
  /** perf_event_attr.type, or null when type is missing or unreadable. */
  type: number | null;
  /** format/ files: term name → spec ("config:0-7,32-35"). */
  formats: Record<string, string>;
  /** events/ aliases, without the .scale/.unit/.per-pkg/.snapshot side files. */
  aliases: Record<string, PmuEventAlias>;
  caps: Record<string, string>;
  cpumask?: string;
  /** The `cpus` file (hybrid and arm core PMUs have one). */
  cpus?: string;
  /** Set when a description said core (src/env/core-pmu.ts decides from it). */
  core?: boolean;
  /** Events a description names without their terms (a map made by perfcompat 0.1): they cannot be resolved. */
  aliasesWithoutTerms?: string[];
}

/** A trimmed file, or undefined when it is missing or unreadable. */
function readText(file: string): string | undefined {
  return readTrimmed(file) ?? undefined;
}

/** Names of the PMUs under the root, sorted; [] when the root is absent. */
export function listPmuNames(root: string = DEFAULT_SYSFS_EVENT_SOURCE): string[] {
  return listDir(root).filter((n) => !n.startsWith('.'));
}

const ALIAS_SIDE_FILE = /\.(scale|unit|per-pkg|snapshot)$/;

function readAliases(eventsDir: string): Record<string, PmuEventAlias> {
  const aliases: Record<string, PmuEventAlias> = {};
  for (const f of listDir(eventsDir)) {
    if (ALIAS_SIDE_FILE.test(f)) continue;
    const terms = readText(path.join(eventsDir, f));
    if (terms === undefined) continue;
    const alias: PmuEventAlias = { terms };
    const scaleText = readText(path.join(eventsDir, `${f}.scale`));
    if (scaleText !== undefined) {
      const scale = Number(scaleText);
      if (scaleText !== '' && Number.isFinite(scale)) alias.scale = scale;
    }
    const unit = readText(path.join(eventsDir, `${f}.unit`));
    if (unit !== undefined && unit !== '') alias.unit = unit;
    aliases[f] = alias;
  }
  return aliases;
}

/*
 * PMU facts read from sysfs are kept by their readers for the process
 * (src/events: name resolution) until something says they are stale: a
 * caller's refresh, invalidatePmuFacts(), or an open refused with ENOENT for
 * a dynamic PMU type read here (the PMU went away or came back with another
 * type: pmuTypeRefused, called by the fd scope). Readers compare the
 * generation they read under with pmuFactsGeneration().
 */
let generation = 0;
/** Dynamic PMU types (>= PERF_TYPE_MAX) handed out by readPmuFiles since the last invalidation. */
const typesRead = new Set<number>();
/** Types below this are the fixed ones (hardware … breakpoint): an ENOENT there is about the event, not the PMU. */
const FIRST_DYNAMIC_TYPE = 6;

/** Bumped each time the PMU facts read before are declared stale. */
export function pmuFactsGeneration(): number {
  return generation;
}

/** Declare every PMU fact read so far stale: the next name resolution reads sysfs again. */
export function invalidatePmuFacts(): void {
  generation++;
  typesRead.clear();
}

/** perf_event_open of `type` got ENOENT: when a PMU read from sysfs had that type, its facts are stale. */
export function pmuTypeRefused(type: number): void {
  if (typesRead.has(type)) invalidatePmuFacts();
}

/** Read one PMU's files; undefined when <root>/<name> is not a directory. */
export function readPmuFiles(name: string, root: string = DEFAULT_SYSFS_EVENT_SOURCE): PmuFiles | undefined {
  if (name === '' || name.includes('/') || name === '.' || name === '..') return undefined;
  const dir = path.join(root, name);
  try {
    if (!fs.statSync(dir).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const typeText = readText(path.join(dir, 'type'));
  const type = typeText !== undefined && /^\d+$/.test(typeText) ? Number(typeText) : null;
  if (type !== null && type >= FIRST_DYNAMIC_TYPE) typesRead.add(type);
  const out: PmuFiles = {
    name, type,
    formats: readDirFiles(path.join(dir, 'format')),
    aliases: readAliases(path.join(dir, 'events')),
    caps: readDirFiles(path.join(dir, 'caps')),
  };
  const cpumask = readText(path.join(dir, 'cpumask'));
  if (cpumask !== undefined) out.cpumask = cpumask;
  const cpus = readText(path.join(dir, 'cpus'));
  if (cpus !== undefined) out.cpus = cpus;
  return out;
}

/** The Environment's description of a PMU (null when its type is unreadable: it cannot be opened). */
export function pmuInfoOf(files: PmuFiles): PmuInfo | null {
  if (files.type === null) return null;
  const events = Object.keys(files.aliases).sort();
  const pmu: PmuInfo = { name: files.name, type: files.type, formats: files.formats, caps: files.caps, events };
  if (events.length > 0) pmu.aliases = files.aliases;
  const cpumask = files.cpumask ?? files.cpus;
  if (cpumask !== undefined) pmu.cpumask = cpumask;
  if (isCorePmu(files)) pmu.core = true;
  return pmu;
}

/** What name resolution reads, from a PmuInfo: a core PMU's cpumask is its CPU list (cpus), any other's its cpumask. */
export function pmuFilesOf(info: PmuInfo): PmuFiles {
  const out: PmuFiles = { name: info.name, type: info.type, formats: { ...info.formats }, aliases: { ...info.aliases }, caps: { ...info.caps } };
  if (isCorePmu(info)) {
    out.core = true;
    if (info.cpumask !== undefined) out.cpus = info.cpumask;
  } else if (info.cpumask !== undefined) {
    out.cpumask = info.cpumask;
  }
  const missing = info.events.filter((e) => !Object.prototype.hasOwnProperty.call(out.aliases, e));
  if (missing.length > 0) out.aliasesWithoutTerms = missing;
  return out;
}

/** Every PMU with a readable type under <sysfsRoot>/bus/event_source/devices. */
export function readPmus(sysfsRoot: string): PmuInfo[] {
  const devicesDir = path.join(sysfsRoot, 'bus', 'event_source', 'devices');
  const out: PmuInfo[] = [];
  for (const name of listPmuNames(devicesDir)) {
    const files = readPmuFiles(name, devicesDir);
    const info = files ? pmuInfoOf(files) : null;
    if (info) out.push(info);
  }
  return out;
}

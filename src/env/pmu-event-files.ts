/**
 * Read the event-source PMUs of a sysfs tree (default
 * /sys/bus/event_source/devices) the way event-name resolution needs them:
 * type, format/ specs, events/ aliases with their term strings and their
 * .scale/.unit files, caps/, cpumask and cpus. Reads lazily, per PMU, and
 * never throws for a missing or unreadable file: absent facts are absent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listDir, readDirFiles, readTrimmed } from './read-file';

export const DEFAULT_SYSFS_EVENT_SOURCE = '/sys/bus/event_source/devices';

export interface PmuEventAlias {
  /** The alias file's content, e.g. "event=0x3c,umask=0x01". */
  terms: string;
  /** From events/<name>.scale, when present and a finite number. */
  scale?: number;
  /** From events/<name>.unit, when present. */
  unit?: string;
}

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

  const formats = readDirFiles(path.join(dir, 'format'));

  const aliases: Record<string, PmuEventAlias> = {};
  const eventsDir = path.join(dir, 'events');
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

  const caps = readDirFiles(path.join(dir, 'caps'));

  const out: PmuFiles = { name, type, formats, aliases, caps };
  const cpumask = readText(path.join(dir, 'cpumask'));
  if (cpumask !== undefined) out.cpumask = cpumask;
  const cpus = readText(path.join(dir, 'cpus'));
  if (cpus !== undefined) out.cpus = cpus;
  return out;
}

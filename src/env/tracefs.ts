/**
 * Tracepoints as tracefs describes them, the one module that reads tracefs:
 * find the tracefs mount (/sys/kernel/tracing, then /sys/kernel/debug/tracing,
 * under a sysfs root for fake trees), list the systems and events under
 * events/, and read an event's id. Answers say why when tracefs cannot be
 * used (not mounted, not readable) instead of throwing.
 */
import { PerfcompatError } from '../errors';
import { READ_LIMITS, readTextBounded } from './bounded-read';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where tracefs is mounted, relative to sysfs: the tracing dir, then the old debugfs one. */
export const TRACEFS_UNDER_SYS: readonly string[] = ['kernel/tracing', 'kernel/debug/tracing'];
export const TRACEFS_CANDIDATES: readonly string[] = TRACEFS_UNDER_SYS.map((rel) => path.join('/sys', rel));

export type TracefsLookup =
  | { ok: true; root: string }
  | { ok: false; problem: 'not-mounted' | 'not-readable'; detail: string };

function errCode(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code : 'EIO';
}

/** Check one candidate root: it must have a readable events/ directory. */
export function checkTracefsRoot(root: string): TracefsLookup {
  const events = path.join(root, 'events');
  try {
    // stat + access rather than a listing: the events/ directory holds hundreds of entries.
    if (!fs.statSync(events).isDirectory()) return { ok: false, problem: 'not-mounted', detail: `${events} is not a directory` };
    fs.accessSync(events, fs.constants.R_OK | fs.constants.X_OK);
    return { ok: true, root };
  } catch (e) {
    const code = errCode(e);
    if (code === 'EACCES' || code === 'EPERM') {
      return { ok: false, problem: 'not-readable', detail: `${events} is not readable by this user (${code})` };
    }
    return { ok: false, problem: 'not-mounted', detail: `${events} does not exist (${code})` };
  }
}

/**
 * Where tracefs is mounted under a sysfs root, as Environment.tracefs reports
 * it: the first candidate whose events/ exists (readable or not), else null.
 */
export function tracefsMount(sysfsRoot: string): string | null {
  for (const rel of TRACEFS_UNDER_SYS) {
    const dir = path.join(sysfsRoot, rel);
    try {
      fs.statSync(path.join(dir, 'events'));
      return dir;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Find tracefs: the given root only, or the first usable default candidate.
 * When none is usable, the most telling problem wins (not-readable over not-mounted).
 */
export function findTracefs(root?: string): TracefsLookup {
  if (root !== undefined) return checkTracefsRoot(root);
  const answers = TRACEFS_CANDIDATES.map(checkTracefsRoot);
  const ok = answers.find((a) => a.ok);
  if (ok) return ok;
  const unreadable = answers.find((a) => !a.ok && a.problem === 'not-readable');
  if (unreadable) return unreadable;
  return {
    ok: false,
    problem: 'not-mounted',
    detail: `tracefs is not mounted at ${TRACEFS_CANDIDATES.join(' or ')}`,
  };
}

function listDirs(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => {
    try {
      return fs.statSync(path.join(dir, n)).isDirectory();
    } catch {
      return false;
    }
  }).sort();
}

/** Tracepoint systems (directories under events/), sorted. */
export function listTraceSystems(root: string): string[] {
  return listDirs(path.join(root, 'events'));
}

/** Whether events/<system> is a directory. */
export function traceSystemExists(root: string, system: string): boolean {
  if (!safeName(system)) return false;
  try {
    return fs.statSync(path.join(root, 'events', system)).isDirectory();
  } catch {
    return false;
  }
}

/** Event names of one system that have an id (perf can open them), sorted. */
export function listTraceEvents(root: string, system: string): string[] {
  if (!safeName(system)) return [];
  const dir = path.join(root, 'events', system);
  return listDirs(dir).filter((e) => fs.existsSync(path.join(dir, e, 'id')));
}

function safeName(n: string): boolean {
  return n !== '' && n !== '.' && n !== '..' && !n.includes('/') && !n.includes('\0');
}

/** The numeric id of system:event, or an explanation of why there is none. */
export function readTracepointId(root: string, system: string, event: string):
  { id: number } | { problem: 'missing' | 'not-readable' | 'malformed'; detail: string } {
  if (!safeName(system) || !safeName(event)) return { problem: 'missing', detail: 'not a tracepoint name' };
  const file = path.join(root, 'events', system, event, 'id');
  let text: string;
  try {
    text = readTextBounded(file, READ_LIMITS.kernelFile, 'tracefs id file').trim();
  } catch (e) {
    if (e instanceof PerfcompatError) return { problem: 'malformed', detail: e.message };
    const code = errCode(e);
    if (code === 'EACCES' || code === 'EPERM') return { problem: 'not-readable', detail: `${file} is not readable by this user (${code})` };
    const hasDir = fs.existsSync(path.join(root, 'events', system, event));
    return { problem: 'missing', detail: hasDir ? `${system}:${event} has no id file, so perf cannot open it` : `${file} does not exist` };
  }
  if (!/^\d+$/.test(text)) return { problem: 'malformed', detail: `${file} holds "${text.slice(0, 40)}", not a number` };
  return { id: Number(text) };
}

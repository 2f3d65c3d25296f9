/**
 * `probe test --cases DIR`: every case file is loaded, and every case run, in
 * a child process (case-child.ts) with a time limit. A case that hangs, loops,
 * blocks on a FIFO named *.json, crashes or calls process.exit() ends as a
 * FAILED line with the reason; it cannot hang the CLI, and the exit status is
 * decided here from the results the children sent, never by a child.
 */
import { spawnSync } from 'node:child_process';
import { caseFiles } from '../probe/behaviour-cases';
import { basename, join } from 'node:path';
import { PerfcompatError } from '../errors';
import { FEATURE_STATUSES, type CapabilityMap, type FeatureEntry } from '../model/capability-map';
import type { ChildRequest, ListedCase } from './case-child';
import { escapeControl } from './text';

/** Seconds a case (or the loading of a case file) may take by default. */
export const DEFAULT_CASE_TIMEOUT_S = 60;
/** Bytes of a child's own stdout/stderr kept (and shown on stderr). */
const CHILD_OUTPUT_LIMIT = 1 << 20;
const CHILD = join(__dirname, 'case-child.js');

/** One case of a file, or a file whose cases could not be listed (then `failed` says why). */
export interface CaseItem {
  source: string;
  /** Position of the case in its file. */
  index: number;
  name: string;
  description: string;
  needs?: string[];
  failed?: string;
}

type Reply = { ok: true; cases?: ListedCase[]; entry?: FeatureEntry } | { ok: false; invalid?: boolean; error: string };

/** Run one child request; a reply, or why there is none (time limit, signal, exit without a result). */
function ask(req: ChildRequest, timeoutS: number, onOutput: (text: string) => void): Reply | { none: string } {
  const r = spawnSync(process.execPath, [CHILD], {
    input: JSON.stringify(req),
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: CHILD_OUTPUT_LIMIT,
  });
  const chatter = [r.output?.[1], r.output?.[2]].map((b) => (b ? b.toString('utf8') : '')).join('');
  if (chatter.trim() !== '') onOutput(chatter.split('\n').map(escapeControl).join('\n').replace(/\n*$/, '\n'));
  const err = r.error as NodeJS.ErrnoException | undefined;
  if (err?.code === 'ETIMEDOUT') return { none: `timeout: still running after the ${timeoutS} s limit (--timeout), killed` };
  if (err?.code === 'ENOBUFS') return { none: `wrote more than ${CHILD_OUTPUT_LIMIT} bytes of output, killed` };
  if (err) return { none: `could not start a child to run it (${err.code ?? err.message})` };
  const line = (r.output?.[3]?.toString('utf8') ?? '').split('\n').filter((l) => l !== '').pop();
  let reply: Reply | undefined;
  try {
    reply = line !== undefined ? JSON.parse(line) as Reply : undefined;
  } catch { /* reported below */ }
  if (reply === undefined || typeof reply !== 'object' || reply === null || typeof reply.ok !== 'boolean') {
    const how = r.signal !== null ? `killed by ${r.signal}` : `exited with status ${r.status}`;
    return { none: `ended (${how}) before reporting a result${r.status === 0 ? '; a case must not call process.exit()' : ''}` };
  }
  return reply;
}

/** List the cases of every file of `dirs` (each file in its own child). Invalid cases throw, naming the file. */
export function loadCaseItems(dirs: readonly string[], timeoutS: number, onOutput: (text: string) => void): CaseItem[] {
  const out: CaseItem[] = [];
  for (const dir of dirs) {
    for (const file of caseFiles(dir)) {
      const r = ask({ mode: 'list', file }, timeoutS, onOutput);
      if ('none' in r) {
        out.push({ source: file, index: -1, name: caseFileName(file), description: `cases in ${basename(file)}`, failed: `loading the file ${r.none}` });
      } else if (!r.ok) {
        if (r.invalid === true && !/not a regular file/.test(r.error)) throw new PerfcompatError('ERR_INVALID_ARGUMENT', r.error);
        out.push({ source: file, index: -1, name: caseFileName(file), description: `cases in ${basename(file)}`, failed: r.error });
      } else {
        (r.cases ?? []).forEach((c, index) => out.push({ source: file, index, name: c.name, description: c.description, ...(c.needs ? { needs: c.needs } : {}) }));
      }
    }
  }
  return out;
}

/** A check name for a file that could not be listed: its name in lower case, [a-z0-9_] only. */
function caseFileName(file: string): string {
  return `file_${basename(file).toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 64);
}

/** A feature entry as the child sent it, checked field by field (a case can write anything on fd 3). */
function checkedEntry(e: unknown): FeatureEntry | undefined {
  const o = e as Partial<FeatureEntry> | null;
  if (o === null || typeof o !== 'object' || !(FEATURE_STATUSES as readonly string[]).includes(o.status as string)) return undefined;
  const out: FeatureEntry = { status: o.status! };
  if (typeof o.errno === 'number') out.errno = o.errno;
  if (typeof o.errnoName === 'string') out.errnoName = o.errnoName;
  if (['number', 'string', 'boolean'].includes(typeof o.value)) out.value = o.value!;
  if (typeof o.reason === 'string') out.reason = o.reason;
  if (Array.isArray(o.needs)) out.needs = o.needs.filter((n): n is string => typeof n === 'string');
  if (o.measured !== null && typeof o.measured === 'object' && !Array.isArray(o.measured)) {
    out.measured = Object.fromEntries(Object.entries(o.measured).filter(([, v]) => ['number', 'string', 'boolean'].includes(typeof v)));
  }
  return out;
}

/** Run one case in its own child; every way it can go wrong is an `error` entry (FAILED) saying how. */
export function runCaseItem(item: CaseItem, capabilities: CapabilityMap | undefined, timeoutS: number, onOutput: (text: string) => void): FeatureEntry {
  if (item.failed !== undefined) return { status: 'error', reason: item.failed };
  const r = ask({ mode: 'run', file: item.source, index: item.index, ...(capabilities ? { capabilities } : {}) }, timeoutS, onOutput);
  if ('none' in r) return { status: 'error', reason: `case ${item.name} ${r.none}` };
  if (!r.ok) return { status: 'error', reason: r.error };
  return checkedEntry(r.entry) ?? { status: 'error', reason: `case ${item.name} sent no valid result` };
}

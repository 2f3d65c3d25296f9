/**
 * The child process of `probe test --cases`: loads one case file, and lists
 * its cases or runs one of them, then writes one JSON line on fd 3 for the
 * parent (case-runner.ts). A case is code that runs (a .js module, a JSON
 * case's work.exec), so it runs here, under the parent's time limit, and
 * whatever it does to this process (loop, exit(0), crash) cannot change the
 * parent's verdict: no line on fd 3 is a FAILED case there.
 *
 * Input (stdin): { mode: 'list' | 'run', file, index?, capabilities? }.
 * Output (fd 3): { ok: true, cases } | { ok: true, entry } | { ok: false, invalid?, error }.
 */
import * as fs from 'node:fs';
import { PerfcompatError } from '../errors';
import { READ_LIMITS, readTextBounded } from '../env/bounded-read';
import type { BehaviourCheck } from '../probe/behaviour-types';
import type { CapabilityMap } from '../model/capability-map';

export interface ChildRequest {
  mode: 'list' | 'run';
  file: string;
  index?: number;
  capabilities?: CapabilityMap;
}

export interface ListedCase {
  name: string;
  description: string;
  needs?: string[];
}

/** A file that is no regular file (a FIFO, a device) is refused before it is opened for reading. */
function regularFileText(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  try {
    if (!fs.fstatSync(fd).isFile()) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${file}: not a regular file (a FIFO, socket or device); a case is a regular .json or .js file`);
    return readTextBounded(fd, READ_LIMITS.caseFile, 'behaviour case file', file);
  } finally {
    fs.closeSync(fd);
  }
}

function declarations(value: unknown): unknown[] {
  const v = value !== null && typeof value === 'object' && 'default' in value ? (value as { default: unknown }).default : value;
  return Array.isArray(v) ? v : [v];
}

/** The checks of one file, validated as loadCases does. Throws a PerfcompatError naming the file. */
export function loadCaseFile(file: string): BehaviourCheck[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { validateCheck } = require('../probe/behaviour-cases') as typeof import('../probe/behaviour-cases');
  let value: unknown;
  if (file.endsWith('.json')) {
    const text = regularFileText(file);
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${file}: not valid JSON (${e instanceof Error ? e.message.slice(0, 120) : 'parse error'})`);
    }
  } else {
    if (!fs.statSync(file).isFile()) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${file}: not a regular file; a case is a regular .json or .js file`);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      value = require(file);
    } catch (e) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${file}: could not be loaded as CommonJS (${e instanceof Error ? e.message.slice(0, 200) : 'load error'})`);
    }
  }
  return declarations(value).map((c, i) => validateCheck(c, Array.isArray(value) ? `${file}[${i}]` : file));
}

function reply(msg: unknown): void {
  // A hook's measured values may be bigints: numbers when exact, else decimal text.
  const text = JSON.stringify(msg, (_k, v: unknown) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v));
  fs.writeSync(3, `${text}\n`);
}

function main(): void {
  let req: ChildRequest;
  try {
    req = JSON.parse(fs.readFileSync(0, 'utf8')) as ChildRequest;
  } catch (e) {
    reply({ ok: false, error: `case child: bad request (${e instanceof Error ? e.message : 'parse error'})` });
    return;
  }
  let checks: BehaviourCheck[];
  try {
    checks = loadCaseFile(req.file);
  } catch (e) {
    // An invalid case (its content) is the user's to fix; a case that could not be read counts as failed.
    const invalid = e instanceof PerfcompatError;
    reply({ ok: false, invalid, error: e instanceof Error ? e.message : String(e) });
    return;
  }
  if (req.mode === 'list') {
    reply({ ok: true, cases: checks.map((c): ListedCase => ({ name: c.name, description: c.description, ...(c.needs ? { needs: c.needs.slice() } : {}) })) });
    return;
  }
  const check = checks[req.index ?? -1];
  if (check === undefined) {
    reply({ ok: false, error: `${req.file}: has no case ${req.index} any more (it changed while probe test ran)` });
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../root');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runCheck } = require('../probe/behaviour-runner') as typeof import('../probe/behaviour-runner');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { realKernel } = require('../sys/real-kernel') as typeof import('../sys/real-kernel');
  const entry = runCheck(check, realKernel(), req.capabilities);
  reply({ ok: true, entry });
}

if (require.main === module) main();

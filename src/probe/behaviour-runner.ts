/**
 * Run behaviour checks: the built-in ones of probes/behaviour/ and any user
 * cases, each in its own context whose fds, rings and children are released
 * however the check ends. Answers are FeatureEntries under behaviour.<name>;
 * `probe test` turns them into Ok / FAILED / Skip lines.
 */
import { PerfcompatError } from '../errors';
import type { Kernel } from '../sys/kernel';
import { realKernel } from '../sys/real-kernel';
import { logger } from '../sys/log';
import type { CapabilityMap, FeatureEntry, FeatureStatus } from '../model/capability-map';
import { ERRNO_CLASS } from '../model/errno-class';
import { BEHAVIOUR_PREFIX, BehaviourCheck, BehaviourResult, Verdict } from './behaviour-types';
import { BehaviourContext } from './behaviour-context';
import { CheckAbort } from './behaviour-verdict';
import { runGeneric } from './behaviour-generic';
import { loadCases } from './behaviour-cases';
import { installedCatalogue } from './catalogue';

const log = logger('behaviour');

export interface BehaviourOptions {
  kernel?: Kernel;
  /** A capability map: `needs` are judged against it (it is only read). */
  capabilities?: CapabilityMap;
  /** Run only these: names ("group_read"), ids ("behaviour.group_read") or 1-based numbers of the list. */
  only?: readonly (string | number)[];
  /** Directories of user cases (see behaviour-cases.ts). */
  cases?: string | readonly string[];
  /** Replace the built-in list (tests). */
  checks?: readonly BehaviourCheck[];
}

/** Ok when the behaviour is right, FAILED when it is wrong or the check hit a fault, Skip otherwise. */
export function outcomeOf(status: FeatureStatus): BehaviourResult['outcome'] {
  if (status === 'supported') return 'ok';
  if (status === 'broken' || status === 'error') return 'failed';
  return 'skip';
}

function entryOf(v: Verdict): FeatureEntry {
  const e: FeatureEntry = { status: v.status };
  if (v.errno !== undefined) e.errno = v.errno;
  if (v.errnoName !== undefined) e.errnoName = v.errnoName;
  if (v.value !== undefined) e.value = v.value;
  if (v.reason !== undefined) e.reason = v.reason;
  if (v.measured !== undefined) e.measured = v.measured;
  return e;
}

/** Run one check on a kernel. Never throws: a fault is an `error` entry. */
export function runCheck(check: BehaviourCheck, kernel: Kernel, capabilities?: CapabilityMap): FeatureEntry {
  for (const need of check.needs ?? []) {
    const f = capabilities?.features[need];
    if (capabilities && f && f.status !== 'supported') {
      const e: FeatureEntry = { status: f.status === 'error' ? 'error' : f.status === 'broken' ? 'untestable' : f.status, needs: check.needs!.slice(), reason: `needs ${need}, which is ${f.status} here${f.errnoName ? ` (${f.errnoName})` : ''}` };
      return e;
    }
  }
  const ctx = new BehaviourContext(kernel, capabilities ? { capabilities } : {});
  let verdict: Verdict;
  try {
    verdict = check.run ? check.run(ctx) : runGeneric(check, ctx);
    if (!verdict || typeof verdict.status !== 'string') {
      verdict = { status: 'error', reason: `check ${check.name} returned no verdict (expected { status, reason?, measured? })` };
    }
  } catch (e) {
    if (e instanceof CheckAbort) verdict = e.verdict;
    else verdict = { status: 'error', reason: `check ${check.name} threw: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    ctx.dispose();
  }
  if (log.enabled) log('%s: %s %s', check.name, verdict.status, verdict.reason ?? '');
  const entry = entryOf(verdict);
  if (check.needs) entry.needs = check.needs.slice();
  return asFaultOfMoment(entry);
}

/** Errors that say "not now" (no fd, no memory, try again), not "not here": the transient ones of ERRNO_CLASS. */
const RESOURCE_FAULTS = Object.keys(ERRNO_CLASS).filter((name) => ERRNO_CLASS[name]!.transient);
const RESOURCE_FAULT_TEXT = new RegExp(`\\b(${RESOURCE_FAULTS.join('|')})\\b`);

/**
 * An answer whose evidence is a fault of the moment (a spawn, open or mmap
 * that failed for want of a resource) is `error`: never cached, asked again
 * on next need.
 */
export function asFaultOfMoment(e: FeatureEntry): FeatureEntry {
  if (e.status === 'error' || e.status === 'supported') return e;
  const byErrno = e.errnoName !== undefined && RESOURCE_FAULTS.includes(e.errnoName);
  if (!byErrno && !(e.reason !== undefined && RESOURCE_FAULT_TEXT.test(e.reason))) return e;
  return { ...e, status: 'error', reason: `fault of the moment, not an answer (was ${e.status}): ${e.reason ?? e.errnoName}` };
}

/** True when an answer may be kept: not an error of the moment. */
export function isCacheable(e: FeatureEntry): boolean {
  return e.status !== 'error';
}

/** The full list: built-ins then each cases directory, with where each came from. */
export function behaviourList(opts: Pick<BehaviourOptions, 'cases' | 'checks'> = {}): Array<{ check: BehaviourCheck; source: string }> {
  const list = (opts.checks ?? installedCatalogue().behaviourChecks).map((check) => ({ check, source: 'builtin' }));
  const dirs = opts.cases === undefined ? [] : typeof opts.cases === 'string' ? [opts.cases] : opts.cases;
  for (const d of dirs) list.push(...loadCases(d));
  const seen = new Map<string, string>();
  for (const { check, source } of list) {
    const prev = seen.get(check.name);
    if (prev !== undefined) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `behaviour check name "${check.name}" in ${source} is already used by ${prev}; names must be unique`);
    }
    seen.set(check.name, source);
  }
  return list;
}

/** Whether one --only word names this check: its number (1-based), its name, or its feature id. */
function names(word: string, check: BehaviourCheck, index: number): boolean {
  return word === String(index + 1) || word === check.name || word === BEHAVIOUR_PREFIX + check.name;
}

function selected(only: BehaviourOptions['only'], check: BehaviourCheck, index: number): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => names(String(o).trim(), check, index));
}

/** Run the checks and return one line each (numbered by position in the full list). */
export function runBehaviourTests(opts: BehaviourOptions = {}): Array<BehaviourResult & { number: number }> {
  const list = behaviourList(opts);
  if (opts.only && opts.only.length > 0) {
    for (const o of opts.only) {
      const s = String(o).trim();
      const known = list.some(({ check }, i) => names(s, check, i));
      if (!known) {
        throw new PerfcompatError('ERR_INVALID_ARGUMENT', `--only ${s}: no such behaviour check; valid are 1..${list.length} or ${list.map(({ check }) => check.name).join(', ')}`);
      }
    }
  }
  const kernel = opts.kernel ?? realKernel();
  const out: Array<BehaviourResult & { number: number }> = [];
  list.forEach(({ check, source }, i) => {
    if (!selected(opts.only, check, i)) return;
    const entry = runCheck(check, kernel, opts.capabilities);
    out.push({ number: i + 1, id: BEHAVIOUR_PREFIX + check.name, name: check.name, description: check.description, outcome: outcomeOf(entry.status), entry, source });
  });
  return out;
}

/** Run the checks and return their entries by feature id, for the capability map. */
export function runBehaviourChecks(opts: BehaviourOptions = {}): Record<string, FeatureEntry> {
  const out: Record<string, FeatureEntry> = {};
  for (const r of runBehaviourTests(opts)) out[r.id] = r.entry;
  return out;
}

/** Where answers of behaviour checks are kept, apart from any capability map. */
export interface BehaviourStore {
  get(id: string): FeatureEntry | undefined;
  /** Called only with answers that may be kept (never `error`). */
  set(id: string, entry: FeatureEntry): void;
}

function builtinCheck(id: string): BehaviourCheck {
  const name = id.startsWith(BEHAVIOUR_PREFIX) ? id.slice(BEHAVIOUR_PREFIX.length) : id;
  const check = installedCatalogue().behaviourChecks.find((c) => c.name === name);
  if (!check) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `behaviour id "${id}": no such check; valid are ${installedCatalogue().behaviourChecks.map((c) => BEHAVIOUR_PREFIX + c.name).join(', ')}`);
  }
  return check;
}

/**
 * The answer of one built-in check, for a caller about to depend on it (the
 * shim): taken from the map when the caller's map carries one, else from the
 * store, else run now and kept in the store (not in the map, which is never
 * changed). Faults of the moment are returned but never kept.
 */
export function ensureBehaviour(id: string, opts: { kernel?: Kernel; capabilities?: CapabilityMap; store?: BehaviourStore } = {}): FeatureEntry {
  const have = opts.capabilities?.features[id] ?? opts.store?.get(id);
  if (have) return have;
  const check = builtinCheck(id);
  const entry = runCheck(check, opts.kernel ?? realKernel(), opts.capabilities);
  if (opts.store && isCacheable(entry)) opts.store.set(id, entry);
  return entry;
}

/**
 * The answers of every built-in check, from the store where it has them, else
 * run now (and kept there unless they are faults of the moment). The map is
 * only read (for the checks' needs).
 */
export function behaviourAnswers(map: CapabilityMap, kernel: Kernel, store?: BehaviourStore): Record<string, FeatureEntry> {
  const out: Record<string, FeatureEntry> = {};
  for (const check of installedCatalogue().behaviourChecks) {
    const id = BEHAVIOUR_PREFIX + check.name;
    out[id] = ensureBehaviour(id, { kernel, capabilities: map, ...(store ? { store } : {}) });
  }
  return out;
}

/**
 * Add the answers of the built-in checks `map` lacks into it; true when it
 * added any. Kept for callers that want their own map filled in: the library
 * itself never changes a map it returned (see behaviourAnswers).
 */
export function addBehaviourEntries(map: CapabilityMap, kernel: Kernel): boolean {
  let added = false;
  for (const check of installedCatalogue().behaviourChecks) {
    const id = BEHAVIOUR_PREFIX + check.name;
    if (map.features[id]) continue;
    map.features[id] = runCheck(check, kernel, map);
    added = true;
  }
  return added;
}

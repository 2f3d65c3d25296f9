/**
 * The probe engine: runs declarations through a Kernel in dependency order
 * (attr.size first, then each feature's needs), opens the base alone and then
 * base + feature, classifies the answer with its errno, and closes every fd
 * and mapping it made — after each probe and again at the end, also when a
 * probe throws. Events are opened disabled; an ioctl probe that enables one
 * disables it before the fd is closed.
 */
import { encodeAttr, type AttrInput } from '../abi/attr-codec';
import { ATTR_SIZE_LATEST, ATTR_SIZE_VER0 } from '../abi/attr-layout';
import { errnoName } from '../abi/errno';
import { archAbi, perfIoctl } from '../abi/ioctl';
import { openScope, OPEN_RETRIES, type FdScope } from '../open/scope';
import { PerfcompatError } from '../errors';
import { isErr, type IoctlArg, type Kernel, type Mapping, type NumResult, type OpenResult } from '../sys/kernel';
import { logger } from '../sys/log';
import { BASES, BASE_LABELS, oracleAttr, resolveBaseForm } from './bases';
import { withPermittedForm } from './permitted-form';
import { workloadOf } from './workload';
import { baseRefused } from './base-refused';
import { classifyRefusal } from './classify';
import { isRetryable, isTransient } from '../model/errno-class';
import type { AttrEncoding, BaseName, OpenTarget, ProbeContext, ProbeDeclaration, ResolvedBase, WithBaseOptions } from './declaration';
import type { Environment, FeatureEntry } from '../model/capability-map';

const log = logger('probe');
const RETRIES = OPEN_RETRIES;

export class ProbeRun implements ProbeContext {
  readonly kernel: Kernel;
  readonly env: Environment;
  attrSize = ATTR_SIZE_VER0;
  private readonly decls = new Map<string, ProbeDeclaration>();
  private readonly entries = new Map<string, FeatureEntry>();
  private readonly running = new Set<string>();
  /** Every fd and mapping this run made. */
  private readonly scope: FdScope;
  private readonly bases = new Map<BaseName, ResolvedBase>();
  private readonly memos = new Map<string, unknown>();
  private oracleWorks: boolean | undefined;
  /** Why the oracle is unusable here, once calibrated (what the plain attr got instead of ENOENT). */
  private oracleUnusable: string | undefined;

  constructor(kernel: Kernel, env: Environment, catalogue: readonly ProbeDeclaration[]) {
    this.kernel = kernel;
    this.env = env;
    // A tracepoint probe's close waits for an RCU grace period: it goes off the thread once the answer is known.
    this.scope = openScope(kernel, { closeSlowOffThread: true });
    for (const d of catalogue) this.decls.set(d.id, d);
  }

  useAttrSize(bytes: number): void {
    this.attrSize = Math.max(ATTR_SIZE_VER0, Math.min(bytes, ATTR_SIZE_LATEST));
  }

  /** Declarations known to this run. */
  has(id: string): boolean {
    return this.decls.has(id);
  }

  /** Entries answered so far, in the order they were answered. */
  results(): Map<string, FeatureEntry> {
    return this.entries;
  }

  /** Close whatever is still open. Safe to call more than once. */
  dispose(): void {
    this.scope.dispose();
  }

  /** Any string: an id no declaration has is refused here (callers pass users' ids). */
  entry(id: string): FeatureEntry {
    const done = this.entries.get(id);
    if (done) return done;
    const decl = this.decls.get(id);
    if (!decl) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `feature "${id}": no probe declares it; ids look like attr.sigtrap, read_format.lost, event.software.cpu_clock, combo.precise_ip`);
    }
    if (this.running.has(id)) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `feature "${id}": its needs form a cycle (${[...this.running].join(' → ')})`);
    }
    this.running.add(id);
    try {
      if (id !== 'attr.size' && this.decls.has('attr.size')) this.entry('attr.size');
      const entry = this.probe(decl);
      this.entries.set(id, entry);
      if (log.enabled) log('%s: %s%s', id, entry.status, entry.errnoName ? ` (${entry.errnoName})` : '');
      return entry;
    } finally {
      this.running.delete(id);
    }
  }

  private probe(decl: ProbeDeclaration): FeatureEntry {
    for (const need of decl.needs ?? []) {
      const e = this.entry(need);
      if (e.status === 'error') {
        return { status: 'error', needs: [...(decl.needs ?? [])], reason: `needs ${need}, whose probe hit a fault of the moment` };
      }
      if (e.status !== 'supported') {
        return { status: 'untestable', needs: [...(decl.needs ?? [])], reason: `needs ${need}, which is ${e.status} here` };
      }
    }
    const mark = this.scope.checkpoint();
    try {
      const entry = decl.hook ? decl.hook(this, decl) : this.standard(decl);
      if (decl.needs && decl.needs.length > 0 && entry.needs === undefined) entry.needs = [...decl.needs];
      return entry;
    } catch (err) {
      if (err instanceof PerfcompatError && err.code === 'ERR_PERF_UNAVAILABLE') throw err;
      const msg = err instanceof Error ? err.message : String(err);
      if (log.enabled) log('%s: probe threw: %s', decl.id, msg);
      return { status: 'error', reason: `the probe failed: ${msg}` };
    } finally {
      this.scope.releaseSince(mark);
    }
  }

  /** Base alone, then base + feature. */
  private standard(decl: ProbeDeclaration): FeatureEntry {
    return this.withBase(decl.base, (base, label) => {
      const attr = mergedAttr(decl, base.attr);
      const r = this.open(attr, decl.target);
      if (!isErr(r)) {
        this.close(r.fd);
        const e: FeatureEntry = { status: 'supported', base: label };
        if (decl.set) e.set = plain(decl.set as Record<string, unknown>);
        return e;
      }
      return this.permitted(this.refused(decl, r.errno, base, decl.set), attr, decl.target);
    });
  }

  /** A denied answer is not the end: record the user-space-only form when it opens for this caller (permitted-form.ts). */
  permitted(e: FeatureEntry, attr: AttrInput, target?: OpenTarget): FeatureEntry {
    return withPermittedForm(e, attr, (form) => {
      const r = this.open(form, target);
      if (isErr(r)) return false;
      this.close(r.fd);
      return true;
    });
  }

  refused(decl: ProbeDeclaration, errno: number, base: ResolvedBase, set?: AttrInput): FeatureEntry {
    const label = BASE_LABELS[base.name];
    const oracleErrno = decl.oracle && !isRetryable(errno)
      ? this.oracle(set === decl.set ? mergedAttr(decl, base.attr) : { ...base.attr, ...set }, decl.target)
      : undefined;
    const e = classifyRefusal({
      errno, errnos: decl.errnos, oracleErrno, whenKnown: decl.whenKnown, base: label, attrSize: this.attrSize,
      ...(oracleErrno === null && this.oracleUnusable !== undefined ? { oracleUnusable: this.oracleUnusable } : {}),
      seccompFilter: this.env.seccomp.mode === 2,
    });
    e.base = label;
    if (set) e.set = plain(set as Record<string, unknown>);
    if (decl.note) e.reason = `${e.reason}; ${decl.note}`;
    return e;
  }

  /** errno of the attr on an unregistered PMU type; null when that cross-check is not available here. */
  private oracle(attr: AttrInput, target?: OpenTarget): number | null {
    if (this.oracleWorks === undefined) {
      // Usable when the plain attr gets ENOENT there and a reserved flag bit
      // still gets EINVAL: then it tells known bits from unknown ones.
      const r = this.open(oracleAttr(BASES.counting));
      if (!isErr(r)) this.close(r.fd);
      const reserved = this.open(oracleAttr({ ...BASES.counting, flags: 1n << 63n }));
      if (!isErr(reserved)) this.close(reserved.fd);
      this.oracleWorks = isErr(r) && errnoName(r.errno) === 'ENOENT' && isErr(reserved) && errnoName(reserved.errno) === 'EINVAL';
      if (!this.oracleWorks) {
        const said = (x: typeof r): string => (isErr(x) ? errnoName(x.errno) : 'opened');
        this.oracleUnusable = `a plain software attr on an unregistered PMU type answered ${said(r)}, not ENOENT, and a reserved flag bit ${said(reserved)}${isErr(r) && errnoName(r.errno) !== 'ENOENT' && isErr(reserved) && errnoName(reserved.errno) === 'EINVAL' ? ': a PMU driver answers for types it does not own' : ''}`;
      }
      if (log.enabled) log('oracle (unregistered PMU type) %s', this.oracleWorks ? 'answers ENOENT: usable' : 'unusable');
    }
    if (!this.oracleWorks) return null;
    const r = this.open(oracleOf(attr), target);
    if (!isErr(r)) {
      this.close(r.fd);
      return 0;
    }
    return r.errno;
  }

  base(name: BaseName | readonly BaseName[]): ResolvedBase {
    const names: readonly BaseName[] = typeof name === 'string' ? [name] : name;
    let last: ResolvedBase | undefined;
    for (const n of names) {
      last = this.resolveBase(n);
      if (last.errno === undefined) return last;
    }
    return last ?? this.resolveBase('none');
  }

  withBase(name: BaseName | readonly BaseName[], fn: (base: ResolvedBase, label: string) => FeatureEntry, opts?: WithBaseOptions): FeatureEntry {
    const base = this.base(name);
    const label = BASE_LABELS[base.name];
    return base.errno !== undefined ? baseRefused(base.errno, label, opts) : fn(base, label);
  }

  withOpened(attr: AttrInput, label: string, fn: (fd: number) => FeatureEntry, opts?: WithBaseOptions): FeatureEntry {
    const r = this.open(attr);
    return isErr(r) ? baseRefused(r.errno, label, opts) : fn(r.fd);
  }

  private resolveBase(name: BaseName): ResolvedBase {
    const cached = this.bases.get(name);
    if (cached) return cached;
    // The least restricted form of the base this caller and PMU open (bases.ts decides the forms and the answer).
    let resolved: ResolvedBase = { name, attr: BASES[name] };
    if (name !== 'none') {
      resolved = { name, ...resolveBaseForm(name, (attr) => {
        const r = this.open(attr);
        if (isErr(r)) return r.errno;
        this.close(r.fd);
        return undefined;
      }) };
    }
    // A fault of the moment (EMFILE…) is not a fact about the base: ask again next time.
    if (resolved.errno === undefined || !isTransient(resolved.errno)) this.bases.set(name, resolved);
    return resolved;
  }

  open(attr: AttrInput, target: OpenTarget = {}, encoding: AttrEncoding = {}): OpenResult {
    return this.scope.openBytes(this.encode(attr, encoding), target);
  }

  /** Encode, memoised for the process (probes share bases, runs share declarations); a fresh copy each time, since the kernel may write into it. */
  private encode(attr: AttrInput, encoding: AttrEncoding): Uint8Array {
    const size = encoding.size ?? this.attrSize;
    const sizeKey = encoding.poke ? `${size}|${encoding.poke.offset}=${encoding.poke.value}` : size;
    const have = encodedAttr(attr, sizeKey);
    if (have) return Buffer.from(have);
    const bytes = this.encodeNow(attr, size, encoding);
    rememberEncoded(attr, sizeKey, bytes);
    return bytes;
  }

  private encodeNow(attr: AttrInput, size: number, encoding: AttrEncoding): Buffer {
    let bytes: Buffer;
    try {
      bytes = encodeAttr(attr, { size });
    } catch (err) {
      if (!(err instanceof PerfcompatError) || err.code !== 'ERR_ATTR_BEYOND_SIZE') throw err;
      // A field past the kernel's size: send it anyway, the kernel answers E2BIG.
      bytes = encodeAttr(attr, { size: Math.max(size, ATTR_SIZE_LATEST) });
    }
    if (encoding.poke) bytes[encoding.poke.offset] = encoding.poke.value;
    return bytes;
  }

  close(fd: number): void {
    this.scope.close(fd);
  }

  ioctl(fd: number, name: string, arg: IoctlArg = 0): NumResult {
    let r: NumResult = { errno: 0 };
    const request = perfIoctl(name, archAbi(this.kernel.arch));
    for (let i = 0; i <= RETRIES; i++) {
      r = this.kernel.ioctl(fd, request, arg);
      if (!isErr(r) || !isRetryable(r.errno)) break;
    }
    return r;
  }

  mmap(fd: number, length: number): Mapping | { errno: number } {
    const r = this.scope.mmap(fd, length);
    return 'errno' in r ? { errno: r.errno } : r;
  }

  munmap(mapping: Mapping): void {
    this.scope.munmap(mapping);
  }

  work(cpuMs: number): void {
    workloadOf(this.kernel).run({ cpu_ms: cpuMs });
  }

  memo<T>(key: string, fn: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const v = fn();
    this.memos.set(key, v);
    return v;
  }
}

/*
 * Encoded attrs, shared by every run in this process: an attr is the same
 * bytes at the same size whoever asks. The engine's own attrs (a
 * declaration's set on a base, its oracle form) are frozen objects made once
 * and found by identity; any other attr (a hook's) by a key of its fields.
 */
let encodeMemo = true;
const BY_OBJECT = new WeakMap<AttrInput, Map<string | number, Buffer>>();
const BY_KEY = new Map<string, Buffer>();
const MAX_KEYED = 4096;
const MERGED = new WeakMap<ProbeDeclaration, Map<AttrInput, AttrInput>>();
const ORACLE = new WeakMap<AttrInput, AttrInput>();

/** Tests: turn the process-wide encode memo off (every open encodes afresh) or on, and forget what it holds. */
export function useEncodeMemo(on: boolean): void {
  encodeMemo = on;
  BY_KEY.clear();
}

/** `{ ...base, ...decl.set }`, made once per declaration and base and frozen (found by identity in the memo). */
function mergedAttr(decl: ProbeDeclaration, base: AttrInput): AttrInput {
  let byBase = MERGED.get(decl);
  if (byBase === undefined) MERGED.set(decl, (byBase = new Map()));
  let m = byBase.get(base);
  if (m === undefined) byBase.set(base, (m = Object.freeze({ ...base, ...decl.set })));
  return m;
}

/** The oracle form of an attr; made once for a frozen one. */
function oracleOf(attr: AttrInput): AttrInput {
  if (!Object.isFrozen(attr)) return oracleAttr(attr);
  let o = ORACLE.get(attr);
  if (o === undefined) ORACLE.set(attr, (o = Object.freeze(oracleAttr(attr))));
  return o;
}

/** A key naming an attr's fields and values exactly; undefined for one holding anything but integers and booleans. */
function attrKey(attr: AttrInput, sizeKey: string | number): string | undefined {
  let key = `${sizeKey}|`;
  for (const k in attr) {
    const v = attr[k];
    const t = typeof v;
    if (t === 'number') key += `${k}=${v as number},`;
    else if (t === 'bigint') key += `${k}=${v as bigint}n,`;
    else if (t === 'boolean') key += `${k}=${v ? 'T' : 'F'},`;
    else if (t !== 'undefined') return undefined;
  }
  return key;
}

function encodedAttr(attr: AttrInput, sizeKey: string | number): Buffer | undefined {
  if (!encodeMemo) return undefined;
  if (Object.isFrozen(attr)) return BY_OBJECT.get(attr)?.get(sizeKey);
  const key = attrKey(attr, sizeKey);
  return key === undefined ? undefined : BY_KEY.get(key);
}

function rememberEncoded(attr: AttrInput, sizeKey: string | number, bytes: Buffer): void {
  if (!encodeMemo) return;
  if (Object.isFrozen(attr)) {
    let bySize = BY_OBJECT.get(attr);
    if (bySize === undefined) BY_OBJECT.set(attr, (bySize = new Map()));
    bySize.set(sizeKey, Buffer.from(bytes));
    return;
  }
  const key = attrKey(attr, sizeKey);
  if (key === undefined) return;
  if (BY_KEY.size >= MAX_KEYED) BY_KEY.clear();
  BY_KEY.set(key, Buffer.from(bytes));
}

function plain(set: Record<string, unknown>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : `0x${v.toString(16)}`) : typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
  }
  return out;
}

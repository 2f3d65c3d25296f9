/**
 * The one opener: a disposable fd scope over a Kernel. Every perf_event_open,
 * mmap and close made through a scope is tracked by it, and `dispose()`
 * closes whatever is still open. Retries follow the model's errno table
 * (ERRNO_CLASS `retry`: EINTR, EAGAIN); `userOnlyOnDenied` asks again
 * counting user space only when kernel space is denied; `orElse` lets the
 * caller name other bytes to ask with after a refusal.
 *
 * Close-on-exec is the scope's job (the Kernel seam does exactly the syscall
 * it is asked): every fd it opens ends close-on-exec, with
 * PERF_FLAG_FD_CLOEXEC (`cloexec: 'flag'`) or, when the open's flags lack
 * it, with fcntl(F_SETFD, FD_CLOEXEC) after the open (`'fcntl'`, the default).
 */
import { encodeAttr, type AttrInput } from '../abi/attr-codec';
import { smallestAttrSize } from '../abi/attr-layout';
import { PERF_FLAG, PERF_TYPE } from '../abi/constants';
import { ERRNO, errnoName } from '../abi/errno';

import { F_SETFD, FD_CLOEXEC, MAP_SHARED, PROT_READ, PROT_WRITE } from '../abi/ioctl';
import type { FeatureStatus } from '../model/capability-map';
import { isRetryable, statusOfErrno } from '../model/errno-class';
import { isErr, type Kernel, type Mapping } from '../sys/kernel';
import { logger } from '../sys/log';
import { raiseNofileOnce } from '../sys/nofile';
import { pmuTypeRefused } from '../env/pmus';

const log = logger('open');
const EMFILE = ERRNO.EMFILE!;
const ENOENT = ERRNO.ENOENT!;

/** How many times a retryable refusal is asked again. */
export const OPEN_RETRIES = 4;

/** At most this many other attrs are asked after the first (`orElse`). */
export const OPEN_FALLBACKS = 8;

/**
 * How an fd is made close-on-exec: 'flag' adds PERF_FLAG_FD_CLOEXEC to the
 * open (3.14+); 'fcntl' sets FD_CLOEXEC with fcntl after the open unless the
 * open's own flags carry PERF_FLAG_FD_CLOEXEC.
 */
export type CloexecMode = 'flag' | 'fcntl';

export interface ScopeOptions {
  /** Attr size used when an open names none; default: the smallest size that holds the attr. */
  readonly attrSize?: number;
  /** Close-on-exec path of every open (default 'fcntl'; `true` means 'flag'). */
  readonly cloexec?: CloexecMode | boolean;
  /**
   * Close a tracepoint event's fd off this thread (Kernel.closeAsync, where
   * the kernel has it): its last close waits for an RCU grace period. The
   * scope forgets the fd at once; `closesSettled()` resolves when every such
   * close of the process has returned.
   */
  readonly closeSlowOffThread?: boolean;
}

export interface ScopeTarget {
  pid?: number;
  cpu?: number;
  groupFd?: number;
  flags?: number;
}

export interface ScopeOpenOptions {
  /** Attr size for this open (overrides the scope's). */
  readonly size?: number;
  /** Retry EINTR/EAGAIN (default true). */
  readonly retry?: boolean;
  /** On EACCES/EPERM, reopen with exclude_kernel and exclude_hv set. */
  readonly userOnlyOnDenied?: boolean;
  /** Close-on-exec path of this open (overrides the scope's). */
  readonly cloexec?: CloexecMode;
}

export interface ScopeBytesOptions extends Pick<ScopeOpenOptions, 'retry' | 'cloexec'> {
  /**
   * After a refusal: the bytes to ask with instead, or undefined to stop.
   * Called again after each refusal (`attempt` counts the bytes asked so
   * far, the first being 0), at most OPEN_FALLBACKS times.
   */
  readonly orElse?: (refusal: ScopeRefusal, attempt: number) => Uint8Array | undefined;
}

export interface ScopeRefusal {
  readonly errno: number;
  readonly errnoName: string;
  readonly status: FeatureStatus;
  /** The call that refused, when not perf_event_open: 'fcntl' (FD_CLOEXEC; the fd is closed again). */
  readonly call?: 'fcntl';
  /** On E2BIG: the attr size the kernel wrote back. */
  readonly attrSize?: number;
}

export interface ScopeOpened {
  readonly fd: number;
  /** The attr bytes that opened (the user-only ones when that retry won). */
  readonly sent: Uint8Array;
  /** Which bytes opened: 0 the first, n the n-th given by `orElse`. */
  readonly attempt: number;
}

export type ScopeOpenResult = ScopeOpened | ScopeRefusal;

export interface Checkpoint {
  readonly fds: ReadonlySet<number>;
  readonly mappings: ReadonlySet<Mapping>;
}

/** Deferred closes still running, process-wide. */
const closing = new Set<Promise<unknown>>();

/**
 * Resolves when every close a scope moved off the thread (closeSlowOffThread)
 * has returned, including those started while waiting: after it, no fd such a
 * scope opened is open.
 */
export async function closesSettled(): Promise<void> {
  while (closing.size > 0) await Promise.all([...closing]);
}

/** perf_event_attr.type of attr bytes (the first u32, little-endian hosts only, as the codec). */
function attrType(bytes: Uint8Array): number {
  return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
}

export class FdScope {
  private readonly fds = new Set<number>();
  private readonly mappings = new Set<Mapping>();
  /** fds whose close goes off the thread (tracepoint events, with closeSlowOffThread). */
  private readonly slow = new Set<number>();

  constructor(readonly kernel: Kernel, private readonly options: ScopeOptions = {}) {}

  /** Encode `attr` and open it; see ScopeOpenOptions. */
  open(attr: AttrInput, target: ScopeTarget = {}, opts: ScopeOpenOptions = {}): ScopeOpenResult {
    const encode = (a: AttrInput): Uint8Array =>
      encodeAttr(a, { size: opts.size ?? this.options.attrSize ?? smallestAttrSize(a as Record<string, number | bigint>) });
    const r = this.openBytes(encode(attr), target, opts);
    if (!isErr(r) || !opts.userOnlyOnDenied || r.status !== 'denied' || attr.exclude_kernel) return r;
    const again = this.openBytes(encode({ ...attr, exclude_kernel: 1, exclude_hv: 1 }), target, opts);
    // The retry's answer wins (an fd, or ENOENT: absent whoever asks) except
    // EINVAL-like refusals: a PMU that cannot exclude kernel space (msr, many
    // uncore PMUs) must not turn "denied" into a wrong "unsupported".
    return !isErr(again) || again.status !== 'unsupported' ? again : r;
  }

  /** Open attr bytes already encoded (the kernel may write into them); see ScopeBytesOptions. */
  openBytes(bytes: Uint8Array, target: ScopeTarget = {}, opts: ScopeBytesOptions = {}): ScopeOpenResult {
    let r = this.openOnce(bytes, target, opts, 0);
    for (let attempt = 1; isErr(r) && opts.orElse && attempt <= OPEN_FALLBACKS; attempt++) {
      const next = opts.orElse(r, attempt - 1);
      if (next === undefined) break;
      r = this.openOnce(next, target, opts, attempt);
    }
    return r;
  }

  private openOnce(bytes: Uint8Array, target: ScopeTarget, opts: ScopeBytesOptions, attempt: number): ScopeOpenResult {
    const mode = opts.cloexec ?? (this.options.cloexec === true ? 'flag' : this.options.cloexec || 'fcntl');
    const flags = (target.flags ?? 0) | (mode === 'flag' ? PERF_FLAG.FD_CLOEXEC : 0);
    const tries = opts.retry === false ? 0 : OPEN_RETRIES;
    let errno = 0;
    let attrSize: number | undefined;
    for (let i = 0; i <= tries; i++) {
      const r = this.kernel.perfEventOpen(bytes, target.pid ?? 0, target.cpu ?? -1, target.groupFd ?? -1, flags);
      if (!('errno' in r)) {
        this.fds.add(r.fd);
        if (this.options.closeSlowOffThread && attrType(bytes) === PERF_TYPE.TRACEPOINT && this.kernel.closeAsync) this.slow.add(r.fd);
        if ((flags & PERF_FLAG.FD_CLOEXEC) === 0) {
          // The only fd flag is FD_CLOEXEC: set it, no F_GETFD needed.
          const set = this.kernel.fcntl(r.fd, F_SETFD, FD_CLOEXEC);
          if (isErr(set)) {
            this.close(r.fd);
            return { ...refusal(set.errno), call: 'fcntl' };
          }
        }
        return { fd: r.fd, sent: bytes, attempt };
      }
      errno = r.errno;
      attrSize = (r as { attrSize?: number }).attrSize;
      // Out of descriptors: raise RLIMIT_NOFILE to its hard limit once (as perf does) and ask again.
      if (errno === EMFILE && raiseNofileOnce(this.kernel).raised) { i--; continue; }
      if (!isRetryable(errno)) break;
    }
    // ENOENT for a PMU type read from sysfs: that PMU is gone or has another type now (src/env/pmus).
    if (errno === ENOENT) pmuTypeRefused(attrType(bytes));
    const out = refusal(errno);
    if (attrSize !== undefined) out.attrSize = attrSize;
    return out;
  }

  /** Map `length` bytes of `fd` shared, read-write (read-only: an overwrite ring the reader must not move). */
  mmap(fd: number, length: number, opts: { readOnly?: boolean } = {}): Mapping | ScopeRefusal {
    const r = this.kernel.mmap(fd, length, opts.readOnly ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    if (isErr(r)) return refusal(r.errno);
    this.mappings.add(r.mapping);
    return r.mapping;
  }

  /** Map `pages` pages (page size from the kernel's seam). */
  mmapPages(fd: number, pages: number, pageSize: number): Mapping | ScopeRefusal {
    return this.mmap(fd, pages * pageSize);
  }

  munmap(mapping: Mapping): void {
    if (!this.mappings.delete(mapping)) return;
    const r = this.kernel.munmap(mapping);
    if (isErr(r) && log.enabled) log('munmap of fd mapping at 0x%s failed: %s', mapping.address.toString(16), errnoName(r.errno));
  }

  /** Close an fd this scope opened; false when it was not (or no longer) open here. */
  close(fd: number): boolean {
    if (!this.fds.delete(fd)) return false;
    if (this.slow.delete(fd) && this.kernel.closeAsync) {
      const p = this.kernel.closeAsync(fd).then((r) => {
        if (isErr(r) && log.enabled) log('close(%d) off the thread failed: %s', fd, errnoName(r.errno));
      }, (e: unknown) => {
        if (log.enabled) log('close(%d) off the thread threw: %s', fd, e instanceof Error ? e.message : String(e));
      }).finally(() => closing.delete(p));
      closing.add(p);
      return true;
    }
    const r = this.kernel.close(fd);
    if (isErr(r) && log.enabled) log('close(%d) failed: %s', fd, errnoName(r.errno));
    return true;
  }

  /** How many fds and mappings the scope holds now. */
  get held(): { fds: number; mappings: number } {
    return { fds: this.fds.size, mappings: this.mappings.size };
  }

  owns(fd: number): boolean {
    return this.fds.has(fd);
  }

  /** What is open now, to release later what was opened after it. */
  checkpoint(): Checkpoint {
    return { fds: new Set(this.fds), mappings: new Set(this.mappings) };
  }

  /** Unmap and close everything opened since `mark`. */
  releaseSince(mark: Checkpoint): void {
    for (const m of [...this.mappings]) if (!mark.mappings.has(m)) this.munmap(m);
    for (const fd of [...this.fds]) if (!mark.fds.has(fd)) this.close(fd);
  }

  /** Unmap and close everything, newest fd first (group members before their leader). Safe to call more than once. */
  dispose(): void {
    for (const m of [...this.mappings]) this.munmap(m);
    for (const fd of [...this.fds].reverse()) this.close(fd);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function refusal(errno: number): { -readonly [K in keyof ScopeRefusal]: ScopeRefusal[K] } {
  return { errno, errnoName: errnoName(errno), status: statusOfErrno(errno) };
}

export function openScope(kernel: Kernel, options: ScopeOptions = {}): FdScope {
  return new FdScope(kernel, options);
}

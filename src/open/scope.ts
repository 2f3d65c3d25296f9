/**
 * The one opener: a disposable fd scope over a Kernel. Every perf_event_open,
 * mmap and close made through a scope is tracked by it, and `dispose()`
 * closes whatever is still open. Retries follow the model's errno table
 * (ERRNO_CLASS `retry`: EINTR, EAGAIN); `userOnlyOnDenied` asks again
 * counting user space only when kernel space is denied.
 */
import { encodeAttr, type AttrInput } from '../abi/attr-codec';
import { smallestAttrSize } from '../abi/attr-layout';
import { PERF_FLAG } from '../abi/constants';
import { errnoName } from '../abi/errno';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../abi/ioctl';
import type { FeatureStatus } from '../model/capability-map';
import { isRetryable, statusOfErrno } from '../model/errno-class';
import { isErr, type Kernel, type Mapping } from '../sys/kernel';

/** How many times a retryable refusal is asked again. */
export const OPEN_RETRIES = 4;

export interface ScopeOptions {
  /** Attr size used when an open names none; default: the smallest size that holds the attr. */
  readonly attrSize?: number;
  /** Add PERF_FLAG_FD_CLOEXEC to every open. */
  readonly cloexec?: boolean;
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
}

export interface ScopeRefusal {
  readonly errno: number;
  readonly errnoName: string;
  readonly status: FeatureStatus;
  /** On E2BIG from perf_event_open: the attr size the kernel wrote back (the seam's OpenResult). */
  readonly attrSize?: number;
}

export interface ScopeOpened {
  readonly fd: number;
  /** The attr bytes that opened (the user-only ones when that retry won). */
  readonly sent: Uint8Array;
}

export type ScopeOpenResult = ScopeOpened | ScopeRefusal;

export interface Checkpoint {
  readonly fds: ReadonlySet<number>;
  readonly mappings: ReadonlySet<Mapping>;
}

export class FdScope {
  private readonly fds = new Set<number>();
  private readonly mappings = new Set<Mapping>();

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

  /** Open attr bytes already encoded (the kernel may write into them). */
  openBytes(bytes: Uint8Array, target: ScopeTarget = {}, opts: Pick<ScopeOpenOptions, 'retry'> = {}): ScopeOpenResult {
    const flags = (target.flags ?? 0) | (this.options.cloexec ? PERF_FLAG.FD_CLOEXEC : 0);
    const tries = opts.retry === false ? 0 : OPEN_RETRIES;
    let errno = 0;
    let attrSize: number | undefined;
    for (let i = 0; i <= tries; i++) {
      const r = this.kernel.perfEventOpen(bytes, target.pid ?? 0, target.cpu ?? -1, target.groupFd ?? -1, flags);
      if (!('errno' in r)) {
        this.fds.add(r.fd);
        return { fd: r.fd, sent: bytes };
      }
      errno = r.errno;
      attrSize = r.attrSize;
      if (!isRetryable(errno)) break;
    }
    const refusal = { errno, errnoName: errnoName(errno), status: statusOfErrno(errno) };
    return attrSize !== undefined ? { ...refusal, attrSize } : refusal;
  }

  /** Map `length` bytes of `fd` shared, read-write. */
  mmap(fd: number, length: number): Mapping | ScopeRefusal {
    const r = this.kernel.mmap(fd, length, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    if (isErr(r)) return { errno: r.errno, errnoName: errnoName(r.errno), status: statusOfErrno(r.errno) };
    this.mappings.add(r.mapping);
    return r.mapping;
  }

  /** Map `pages` pages (page size from the kernel's seam). */
  mmapPages(fd: number, pages: number, pageSize: number): Mapping | ScopeRefusal {
    return this.mmap(fd, pages * pageSize);
  }

  munmap(mapping: Mapping): void {
    if (!this.mappings.delete(mapping)) return;
    this.kernel.munmap(mapping);
  }

  /** Close an fd this scope opened; false when it was not (or no longer) open here. */
  close(fd: number): boolean {
    if (!this.fds.delete(fd)) return false;
    this.kernel.close(fd);
    return true;
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

export function openScope(kernel: Kernel, options: ScopeOptions = {}): FdScope {
  return new FdScope(kernel, options);
}

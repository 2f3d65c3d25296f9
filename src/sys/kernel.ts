/**
 * The Kernel seam: the only way perfcompat talks to the kernel. Everything
 * above src/sys takes a Kernel, so tests hand it a stand-in and users get
 * the real one (createRealKernel). Calls return a result or an errno; they
 * never throw for an errno the caller has to classify. Programming mistakes
 * (a buffer shorter than the length given) throw RangeError before any call.
 */

/** An errno answer. */
export interface SysError {
  readonly errno: number;
}

export type OpenResult =
  | { readonly fd: number }
  | { readonly errno: number; /** on E2BIG: the size the kernel wrote back into attr.size */ readonly attrSize?: number };

export type NumResult = { readonly value: number } | SysError;
export type ReadResultBytes = { readonly bytes: number } | SysError;
export type VoidResult = { readonly ok: true } | SysError;
/** A resource limit: soft (rlim_cur) and hard (rlim_max); RLIM_INFINITY is 2^64 - 1. */
export type RlimitResult = { readonly soft: bigint; readonly hard: bigint } | SysError;

/** A mapping of a perf ring buffer (or any fd) into this process. */
export interface Mapping {
  /** Start address, for munmap and diagnostics. */
  readonly address: bigint;
  readonly length: number;
  /** The mapped memory, shared with the kernel (reads see its updates). The real kernel's throws ERR_CLOSED after munmap. */
  readonly buffer: ArrayBuffer;
}

export type MmapResult = { readonly mapping: Mapping } | SysError;

/** Argument of an ioctl: an integer, or a buffer passed by pointer. */
export type IoctlArg = number | bigint | Uint8Array;

export interface PollFd {
  fd: number;
  events: number;
}
export type PollResult = { readonly ready: number; readonly revents: number[] } | SysError;

export interface Kernel {
  /** Which kernel this is: 'real', or the name of the stand-in a test hands in. */
  readonly name: string;
  /** True for this host's own kernel: its answers may be cached on disk for this boot. */
  readonly host: boolean;
  /** Node's process.arch naming of the kernel's architecture. */
  readonly arch: string;
  /**
   * perf_event_open(attr, pid, cpu, group_fd, flags). `attr` is passed by
   * pointer and may be written by the kernel (the size field on E2BIG).
   */
  perfEventOpen(attr: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): OpenResult;
  /** read(fd, buf, length ?? buf.byteLength). */
  read(fd: number, buf: Uint8Array, length?: number): ReadResultBytes;
  /**
   * ioctl(fd, request, arg). A Uint8Array arg is passed by pointer. `argSize`
   * (bytes the kernel reads or writes through arg, 0 for a value) is needed
   * only for a request that is not a perf ioctl; the real kernel refuses such
   * a request without it.
   */
  ioctl(fd: number, request: number, arg?: IoctlArg, argSize?: number): NumResult;
  close(fd: number): VoidResult;
  /**
   * close(fd) off the calling thread: the promise settles when the close has
   * returned. For an fd whose last close waits in the kernel (a tracepoint
   * event's waits for an RCU grace period, tens of ms). Optional: without it,
   * callers close synchronously.
   */
  closeAsync?(fd: number): Promise<VoidResult>;
  /** fcntl(fd, cmd, arg) for integer commands (F_GETFD, F_SETFD, ...). */
  fcntl(fd: number, cmd: number, arg?: number): NumResult;
  mmap(fd: number, length: number, prot: number, flags: number, offset?: number): MmapResult;
  /** Unmaps a mapping this kernel's mmap returned (that object, not a copy); `buffer` is unusable afterwards. */
  munmap(mapping: Mapping): VoidResult;
  /** prctl(option, arg2) — e.g. PR_TASK_PERF_EVENTS_DISABLE. */
  prctl(option: number, arg2?: number): NumResult;
  /** poll(fds, timeout) — synchronous; timeout in ms (0 = do not wait). */
  poll(fds: readonly PollFd[], timeoutMs: number): PollResult;
  /**
   * mmap(NULL, length, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0): private
   * memory, e.g. for machine code (src/sys/user-counter). Optional.
   */
  mmapAnon?(length: number, prot: number): MmapResult;
  /** mprotect of a whole mapping this kernel's mmap/mmapAnon returned. Optional (with mmapAnon). */
  mprotect?(mapping: Mapping, prot: number): VoidResult;
  /**
   * A callable for the machine code at `offset` in `mapping` (made executable
   * by mprotect), with a koffi prototype such as 'uint64_t f(uint32_t)'.
   * Optional: a kernel without it runs no native stub.
   */
  functionAt?(mapping: Mapping, offset: number, prototype: string): (...args: number[]) => number | bigint;
  /** The page size, for ring buffer sizes. */
  pageSize(): number;
  /** getrlimit(resource) of this process (prlimit64 on the real kernel). Optional: without it nothing is raised. */
  getrlimit?(resource: number): RlimitResult;
  /** setrlimit(resource, soft, hard) of this process. */
  setrlimit?(resource: number, soft: bigint, hard: bigint): VoidResult;
  /**
   * Call `onReadable` (from Node's event loop, never blocking it) each time
   * `fd` polls readable — for a perf fd: the ring buffer reached its wakeup
   * point, or the event is gone. The watch does not keep Node alive on its
   * own; `stop()` ends it (idempotent) and must come before close(fd).
   * Optional: a Kernel without it is read by polling with poll(fds, 0).
   */
  watchReadable?(fd: number, onReadable: () => void): ReadableWatch;
  /**
   * CPU time the calling thread has used, in ns (CLOCK_THREAD_CPUTIME_ID): what
   * a task clock opened with pid 0 counts. Process-wide accounting
   * (process.cpuUsage) also charges Node's GC and libuv threads, which can run
   * for tens of ms beside a busy loop. Optional: without it, callers fall back
   * to process CPU time.
   */
  threadCpuNs?(): bigint;
  /**
   * A read of `length` bytes of `fd` into `buf`, checked once here and then
   * called in hot loops: bytes, or -errno. Optional: src/sys/fast-read's
   * bindRead wraps Kernel.read for a kernel without it.
   */
  bindRead?(fd: number, buf: Uint8Array, length: number): BoundRead;
}

/** A bound read(fd, buf, length) → bytes, or -errno. */
export type BoundRead = () => number;

/** A running watch of an fd, from Kernel.watchReadable. */
export interface ReadableWatch {
  stop(): void;
  /** Keep Node's event loop alive while the watch runs (e.g. while a caller awaits records). */
  ref?(): void;
  /** Let Node exit even though the watch runs (the default). */
  unref?(): void;
}

export function isErr(r: object): r is SysError {
  return r !== null && typeof r === 'object' && typeof (r as { errno?: unknown }).errno === 'number';
}

/**
 * The real Kernel: libc through koffi. perf_event_open goes through
 * syscall(__NR_perf_event_open, ...) with the number of the running
 * architecture; errno is read right after each call. Every buffer length is
 * checked before it crosses the FFI, so a mistake is a RangeError and never a
 * crash of the Node process. Every fd is opened close-on-exec.
 */
import koffi from 'koffi';
import { archAbi, ArchAbi, F_GETFD, F_SETFD, FD_CLOEXEC, perfIoctlTable } from '../abi/ioctl';
import { PERF_FLAG } from '../abi/constants';
import { ATTR_SIZE_VER0 } from '../abi/attr-layout';
import { ERRNO, errnoName } from '../abi/errno';
import { attrSizeField } from '../abi/attr-codec';
import type {
  IoctlArg, Kernel, Mapping, MmapResult, NumResult, OpenResult, PollFd, PollResult, ReadableWatch, ReadResultBytes, VoidResult,
} from './kernel';
import { sysLog } from './log';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Fn = (...args: any[]) => any;

interface Libc {
  syscallOpen: Fn;
  read: Fn;
  ioctlInt: Fn;
  ioctlPtr: Fn;
  close: Fn;
  fcntl: Fn;
  mmap: Fn;
  munmap: Fn;
  prctl: Fn;
  poll: Fn;
  getpagesize: Fn;
  clockGettime: Fn;
  /** read() taking the buffer as an address: koffi converts a number faster than it pins a Buffer. */
  readAddress: Fn;
  /** true where a non-variadic prototype is safe for libc's variadic functions */
  direct: boolean;
}

let libc: Libc | undefined;

/** <time.h>: the calling thread's CPU-time clock (the same number on every Linux arch). */
const CLOCK_THREAD_CPUTIME_ID = 3;

/** ABIs where variadic integer/pointer arguments travel exactly like fixed ones. */
const DIRECT_VARIADIC_ARCHES = new Set(['x64', 'ia32', 'arm64', 'arm', 'riscv64', 'loong64', 's390x']);

function loadLibc(arch: string): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  const direct = DIRECT_VARIADIC_ARCHES.has(arch);
  const v = (decl: string, variadic: string): Fn => lib.func(direct ? decl : variadic);
  libc = {
    syscallOpen: direct
      ? lib.func('syscall', 'long', ['long', 'void *', 'int', 'int', 'int', 'unsigned long'])
      : lib.func('long syscall(long, ...)'),
    read: lib.func('long read(int fd, void *buf, size_t count)'),
    ioctlInt: direct ? lib.func('ioctl', 'int', ['int', 'unsigned long', 'unsigned long']) : lib.func('int ioctl(int, unsigned long, ...)'),
    ioctlPtr: direct ? lib.func('ioctl', 'int', ['int', 'unsigned long', 'void *']) : lib.func('int ioctl(int, unsigned long, ...)'),
    close: lib.func('int close(int fd)'),
    fcntl: v('int fcntl(int fd, int cmd, long arg)', 'int fcntl(int, int, ...)'),
    mmap: lib.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)'),
    munmap: lib.func('int munmap(void *addr, size_t length)'),
    prctl: v('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)', 'int prctl(int, ...)'),
    poll: lib.func('int poll(void *fds, unsigned long nfds, int timeout)'),
    getpagesize: lib.func('int getpagesize()'),
    clockGettime: lib.func('int clock_gettime(int clk, void *ts)'),
    readAddress: lib.func('long read(int fd, intptr_t buf, size_t count)'),
    direct,
  };
  return libc;
}

export function checkFd(fd: number, what: string): void {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
    throw new RangeError(`${what}: fd ${fd} is not a valid file descriptor (a non-negative integer)`);
  }
}

/** A read length must lie within the buffer the kernel writes into. */
export function checkLength(length: number, buf: Uint8Array, what: string): void {
  if (!Number.isInteger(length) || length < 0 || length > buf.byteLength) {
    throw new RangeError(`${what}: length ${length} outside the ${buf.byteLength}-byte buffer`);
  }
}

export function checkBuffer(buf: unknown, what: string): asserts buf is Uint8Array {
  if (!(buf instanceof Uint8Array)) {
    throw new RangeError(`${what}: expected a Uint8Array or Buffer, got ${buf === null ? 'null' : typeof buf}`);
  }
}

const MAP_FAILED = 0xffffffffffffffffn;

export class RealKernel implements Kernel {
  readonly name = 'real';
  readonly host = true;
  readonly arch: string;
  private readonly abi: ArchAbi;
  private readonly c: Libc;
  private readonly pointers = new Map<bigint, unknown>();
  /**
   * struct timespec for clock_gettime, two C longs in native byte order (the
   * unsuffixed clock_gettime symbol is the native-long one on 32-bit too).
   */
  private readonly timespec = koffi.sizeof('long') === 8 ? new BigInt64Array(2) : new Int32Array(2);
  /** Perf ioctl request number → short name, for buffer checks and logs. */
  private readonly ioctlNames: Map<number, string>;

  constructor(arch: string = process.arch) {
    if (process.platform !== 'linux') {
      throw new Error(`perf_event_open exists only on Linux; this is ${process.platform}`);
    }
    this.arch = arch;
    this.abi = archAbi(arch);
    this.c = loadLibc(arch);
    this.ioctlNames = new Map(Object.entries(perfIoctlTable(this.abi)).map(([name, request]) => [request, name]));
  }

  perfEventOpen(attr: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): OpenResult {
    checkBuffer(attr, 'perf_event_open attr');
    if (attr.byteLength < 8) throw new RangeError(`perf_event_open attr: ${attr.byteLength} bytes cannot hold the size field`);
    const declared = attrSizeField(attr);
    // The kernel reads `declared` bytes (or VER0 when 0): they must all be ours.
    const reads = declared === 0 ? ATTR_SIZE_VER0 : declared;
    if (reads > attr.byteLength) {
      throw new RangeError(`perf_event_open attr: size field says ${declared} bytes but the buffer holds ${attr.byteLength}`);
    }
    for (const [v, n] of [[pid, 'pid'], [cpu, 'cpu'], [groupFd, 'group_fd']] as const) {
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`perf_event_open ${n}: ${v} is not a 32-bit integer`);
    }
    if (!Number.isInteger(flags) || flags < 0) throw new RangeError(`perf_event_open flags: ${flags} is not a non-negative integer`);
    const wantCloexec = (flags & PERF_FLAG.FD_CLOEXEC) !== 0;
    const r = this.c.direct
      ? this.c.syscallOpen(this.abi.nrPerfEventOpen, attr, pid, cpu, groupFd, flags)
      : this.c.syscallOpen(this.abi.nrPerfEventOpen, 'void *', attr, 'int', pid, 'int', cpu, 'int', groupFd, 'unsigned long', flags);
    const fd = Number(r);
    if (fd < 0) {
      const errno = koffi.errno();
      const res: { errno: number; attrSize?: number } = { errno };
      // E2BIG: the kernel wrote its own attr size into the size field.
      if (errno === ERRNO.E2BIG) res.attrSize = attrSizeField(attr);
      if (sysLog.enabled) sysLog('perf_event_open(size=%d, pid=%d, cpu=%d, group=%d, flags=%d) = -1 %s%s', declared, pid, cpu, groupFd, flags, errnoName(errno), res.attrSize !== undefined ? ` (kernel size ${res.attrSize})` : '');
      return res;
    }
    if (!wantCloexec) {
      // Kernels before 3.14 have no PERF_FLAG_FD_CLOEXEC; the fd is still made close-on-exec.
      const cur = Number(this.c.direct ? this.c.fcntl(fd, F_GETFD, 0) : this.c.fcntl(fd, F_GETFD, 'int', 0));
      if (cur >= 0 && (cur & FD_CLOEXEC) === 0) {
        if (this.c.direct) this.c.fcntl(fd, F_SETFD, cur | FD_CLOEXEC);
        else this.c.fcntl(fd, F_SETFD, 'int', cur | FD_CLOEXEC);
      }
    }
    if (sysLog.enabled) sysLog('perf_event_open(size=%d, pid=%d, cpu=%d, group=%d, flags=%d) = %d', declared, pid, cpu, groupFd, flags, fd);
    return { fd };
  }

  read(fd: number, buf: Uint8Array, length: number = buf?.byteLength): ReadResultBytes {
    checkFd(fd, 'read');
    checkBuffer(buf, 'read buffer');
    checkLength(length, buf, 'read');
    const n = Number(this.c.read(fd, buf, length));
    if (n < 0) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('read(%d, %d) = -1 %s', fd, length, errnoName(errno));
      return { errno };
    }
    if (sysLog.enabled) sysLog('read(%d, %d) = %d', fd, length, n);
    return { bytes: n };
  }

  ioctl(fd: number, request: number, arg: IoctlArg = 0): NumResult {
    checkFd(fd, 'ioctl');
    if (!Number.isInteger(request) || request < 0 || request > 0xffffffff) {
      throw new RangeError(`ioctl: request ${request} is not an unsigned 32-bit number`);
    }
    let r: number;
    if (arg instanceof Uint8Array) {
      this.checkIoctlBuffer(request, arg);
      r = Number(this.c.direct ? this.c.ioctlPtr(fd, request, arg) : this.c.ioctlPtr(fd, request, 'void *', arg));
    } else {
      if (typeof arg !== 'bigint' && (!Number.isInteger(arg) || arg < 0)) {
        throw new RangeError(`ioctl: argument ${String(arg)} is not a non-negative integer or a buffer`);
      }
      r = Number(this.c.direct ? this.c.ioctlInt(fd, request, arg) : this.c.ioctlInt(fd, request, 'unsigned long', arg));
    }
    if (r < 0) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('ioctl(%d, %s) = -1 %s', fd, this.ioctlName(request), errnoName(errno));
      return { errno };
    }
    if (sysLog.enabled) sysLog('ioctl(%d, %s) = %d', fd, this.ioctlName(request), r);
    return { value: r };
  }

  /** For logs: the request's short name, or its number in hex. */
  private ioctlName(request: number): string {
    return this.ioctlNames.get(request) ?? `0x${request.toString(16)}`;
  }

  /** A pointer argument must be large enough for what the kernel reads or writes through it. */
  private checkIoctlBuffer(request: number, buf: Uint8Array): void {
    const name = this.ioctlNames.get(request);
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    switch (name) {
      case 'id':
      case 'period':
        if (buf.byteLength < 8) throw new RangeError(`ioctl ${name}: buffer of ${buf.byteLength} bytes, 8 needed`);
        return;
      case 'set_filter':
        if (buf.indexOf(0) < 0) throw new RangeError('ioctl set_filter: the filter string must be NUL-terminated');
        return;
      case 'modify_attributes': {
        if (buf.byteLength < 8) throw new RangeError('ioctl modify_attributes: attr buffer too short');
        const size = attrSizeField(buf) || ATTR_SIZE_VER0;
        if (size > buf.byteLength) throw new RangeError(`ioctl modify_attributes: attr size field ${size} exceeds the ${buf.byteLength}-byte buffer`);
        return;
      }
      case 'query_bpf': {
        if (buf.byteLength < 8) throw new RangeError('ioctl query_bpf: buffer must hold ids_len and prog_cnt (8 bytes)');
        const idsLen = dv.getUint32(0, true);
        if (8 + 4 * idsLen > buf.byteLength) throw new RangeError(`ioctl query_bpf: ids_len ${idsLen} needs ${8 + 4 * idsLen} bytes, buffer has ${buf.byteLength}`);
        return;
      }
      default: {
        // Unknown request: trust the size bits of its encoding.
        const size = (request >>> 16) & ((1 << this.abi.ioctl.sizeBits) - 1);
        if (buf.byteLength < size) throw new RangeError(`ioctl 0x${request.toString(16)}: buffer of ${buf.byteLength} bytes, the request encodes ${size}`);
      }
    }
  }

  close(fd: number): VoidResult {
    checkFd(fd, 'close');
    const r = Number(this.c.close(fd));
    if (r < 0) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('close(%d) = -1 %s', fd, errnoName(errno));
      return { errno };
    }
    if (sysLog.enabled) sysLog('close(%d) = 0', fd);
    return { ok: true };
  }

  fcntl(fd: number, cmd: number, arg = 0): NumResult {
    checkFd(fd, 'fcntl');
    if (!Number.isInteger(cmd) || !Number.isInteger(arg)) throw new RangeError(`fcntl: cmd ${cmd} and arg ${arg} must be integers`);
    const r = Number(this.c.direct ? this.c.fcntl(fd, cmd, arg) : this.c.fcntl(fd, cmd, 'long', arg));
    if (r < 0) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('fcntl(%d, %d, %d) = -1 %s', fd, cmd, arg, errnoName(errno));
      return { errno };
    }
    if (sysLog.enabled) sysLog('fcntl(%d, %d, %d) = %d', fd, cmd, arg, r);
    return { value: r };
  }

  mmap(fd: number, length: number, prot: number, flags: number, offset = 0): MmapResult {
    checkFd(fd, 'mmap');
    const page = this.pageSize();
    if (!Number.isInteger(length) || length <= 0 || length % page !== 0) {
      throw new RangeError(`mmap: length ${length} must be a positive multiple of the page size ${page}`);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset % page !== 0) {
      throw new RangeError(`mmap: offset ${offset} must be a non-negative multiple of the page size ${page}`);
    }
    const ptr = this.c.mmap(null, length, prot, flags, fd, offset);
    const address = ptr === null ? 0n : BigInt.asUintN(64, koffi.address(ptr));
    if (address === MAP_FAILED || address === 0n) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('mmap(fd=%d, %d) = -1 %s', fd, length, errnoName(errno));
      return { errno };
    }
    const buffer = koffi.view(ptr, length);
    this.pointers.set(address, ptr);
    if (sysLog.enabled) sysLog('mmap(fd=%d, %d) = 0x%s', fd, length, address.toString(16));
    const mapping: Mapping = { address, length, buffer };
    return { mapping };
  }

  munmap(mapping: Mapping): VoidResult {
    const ptr = this.pointers.get(mapping?.address);
    if (ptr === undefined) throw new RangeError('munmap: not a mapping made by this kernel, or already unmapped');
    const r = Number(this.c.munmap(ptr, mapping.length));
    if (r < 0) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('munmap(0x%s) = -1 %s', mapping.address.toString(16), errnoName(errno));
      return { errno };
    }
    this.pointers.delete(mapping.address);
    if (sysLog.enabled) sysLog('munmap(0x%s, %d) = 0', mapping.address.toString(16), mapping.length);
    return { ok: true };
  }

  prctl(option: number, arg2 = 0): NumResult {
    if (!Number.isInteger(option) || !Number.isInteger(arg2) || arg2 < 0) throw new RangeError(`prctl: option ${option} and arg ${arg2} must be non-negative integers`);
    const r = Number(this.c.direct
      ? this.c.prctl(option, arg2, 0, 0, 0)
      : this.c.prctl(option, 'unsigned long', arg2, 'unsigned long', 0, 'unsigned long', 0, 'unsigned long', 0));
    if (r < 0) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('prctl(%d, %d) = -1 %s', option, arg2, errnoName(errno));
      return { errno };
    }
    if (sysLog.enabled) sysLog('prctl(%d, %d) = %d', option, arg2, r);
    return { value: r };
  }

  poll(fds: readonly PollFd[], timeoutMs: number): PollResult {
    if (!Array.isArray(fds)) throw new RangeError('poll: fds must be an array of { fd, events }');
    if (!Number.isInteger(timeoutMs) || timeoutMs < -1) throw new RangeError(`poll: timeout ${timeoutMs} must be an integer >= -1`);
    const buf = Buffer.alloc(8 * Math.max(1, fds.length));
    fds.forEach((p, i) => {
      checkFd(p.fd, 'poll');
      buf.writeInt32LE(p.fd, i * 8);
      buf.writeInt16LE(p.events, i * 8 + 4);
    });
    const r = Number(this.c.poll(buf, fds.length, timeoutMs));
    if (r < 0) return { errno: koffi.errno() };
    return { ready: r, revents: fds.map((_, i) => buf.readInt16LE(i * 8 + 6)) };
  }

  watchReadable(fd: number, onReadable: () => void): ReadableWatch {
    checkFd(fd, 'watchReadable');
    if (typeof onReadable !== 'function') throw new RangeError('watchReadable: onReadable must be a function');
    // koffi.node.poll is a libuv poll handle: the callback runs on the event loop.
    // koffi 3.x passes a status number rather than the typed PollEvents
    // object; every call means the fd polled ready for what was asked, so
    // each one is a wake-up (the reader drains whatever is there).
    const handle = koffi.node.poll(fd, { readable: true, disconnect: true }, () => onReadable());
    // A watch alone must not keep the process alive (a sampler holds its own ref while iterated).
    handle.unref();
    let open = true;
    if (sysLog.enabled) sysLog('watchReadable(%d)', fd);
    const stop = (): void => {
      if (!open) return;
      open = false;
      liveWatches.delete(stop);
      handle.stop();
      handle.close();
      if (sysLog.enabled) sysLog('watchReadable(%d) stopped', fd);
    };
    trackWatch(stop);
    return {
      stop,
      ref: () => {
        if (open) handle.ref();
      },
      unref: () => {
        if (open) handle.unref();
      },
    };
  }

  private page = 0;
  /** read(fd, address, count) → bytes or -1 (errno in koffi.errno()), for fast-read's bound reads. */
  readAtAddress(): (fd: number, address: number, count: number) => number {
    return this.c.readAddress as (fd: number, address: number, count: number) => number;
  }

  pageSize(): number {
    if (this.page === 0) this.page = Number(this.c.getpagesize());
    return this.page;
  }

  threadCpuNs(): bigint {
    const ts = this.timespec;
    const r = Number(this.c.clockGettime(CLOCK_THREAD_CPUTIME_ID, ts));
    if (r !== 0) throw new Error(`clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: errno ${koffi.errno()}`);
    return BigInt(ts[0]!) * 1000000000n + BigInt(ts[1]!);
  }
}

/**
 * Watches still running when the process exits. A koffi poll handle left open
 * until Node tears down its handles aborts the process (napi_throw during
 * cleanup), so every live watch is stopped on 'exit'.
 */
const liveWatches = new Set<() => void>();
let exitHookInstalled = false;

function trackWatch(stop: () => void): void {
  liveWatches.add(stop);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const s of [...liveWatches]) {
      try {
        s();
      } catch {
        // nothing more can be done at exit
      }
    }
  });
}

let shared: RealKernel | undefined;

/** The process-wide real kernel (created on first use). */
export function realKernel(): RealKernel {
  shared ??= new RealKernel();
  return shared;
}

/**
 * The real Kernel: the RealKernel class over libc (./libc). perf_event_open
 * goes through syscall(__NR_perf_event_open, ...) with the number of the
 * running architecture; errno is read right after each call. Every argument is
 * checked before it crosses the FFI (./checks, ./ioctl-args, ./mappings), so a
 * mistake is a RangeError and never a crash of the Node process. Each call
 * is exactly the syscall asked for: perf_event_open passes the flags it is
 * given and sets nothing after (close-on-exec is the fd scope's job,
 * src/open/scope).
 */
import * as fs from 'node:fs';
import koffi from 'koffi';
import { archAbi, ArchAbi, mapAnonymous, MAP_PRIVATE, perfIoctlTable } from '../abi/ioctl';
import { ATTR_SIZE_VER0 } from '../abi/attr-layout';
import { ERRNO, errnoName } from '../abi/errno';
import type {
  BoundRead, IoctlArg, Kernel, Mapping, MmapResult, NumResult, OpenResult, PollFd, PollResult, ReadableWatch, ReadResultBytes, RlimitResult, VoidResult,
} from './kernel';
import { checkBuffer, checkFd, checkLength, clipArg } from './checks';
import { checkIoctlArg } from './ioctl-args';
import { CLOCK_THREAD_CPUTIME_ID, Libc, loadLibc } from './libc';
import { MappingTable } from './mappings';
import { sysLog } from './log';
import { watchReadable } from './watch';

export class RealKernel implements Kernel {
  readonly name = 'real';
  readonly host = true;
  readonly arch: string;
  private readonly abi: ArchAbi;
  private readonly c: Libc;
  private readonly mappings: MappingTable;
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
    this.mappings = new MappingTable(this.c, arch);
    this.ioctlNames = new Map(Object.entries(perfIoctlTable(this.abi)).map(([name, request]) => [request, name]));
  }

  /**
   * The hot path of a probe (hundreds of calls): the checks below allocate
   * nothing (no DataView, no argument tuples) and the size field is read off
   * the bytes; the messages are those of the straightforward checks.
   */
  perfEventOpen(attr: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): OpenResult {
    checkBuffer(attr, 'perf_event_open attr');
    const length = attr.byteLength;
    if (length < 8) throw new RangeError(`perf_event_open attr: ${length} bytes cannot hold the size field`);
    const declared = sizeField(attr);
    // The kernel reads `declared` bytes (or VER0 when 0): they must all be ours.
    if ((declared === 0 ? ATTR_SIZE_VER0 : declared) > length) {
      throw new RangeError(`perf_event_open attr: size field says ${declared} bytes but the buffer holds ${length}`);
    }
    if (!isInt32(pid)) throw notInt32('pid', pid);
    if (!isInt32(cpu)) throw notInt32('cpu', cpu);
    if (!isInt32(groupFd)) throw notInt32('group_fd', groupFd);
    if (!Number.isInteger(flags) || flags < 0) throw new RangeError(`perf_event_open flags: ${clipArg(flags)} is not a non-negative integer`);
    const fd: number = this.c.direct
      ? this.c.syscallOpen(this.abi.nrPerfEventOpen, attr, pid, cpu, groupFd, flags)
      : this.c.syscallOpen(this.abi.nrPerfEventOpen, 'void *', attr, 'int', pid, 'int', cpu, 'int', groupFd, 'unsigned long', flags);
    if (fd >= 0) {
      if (sysLog.enabled) sysLog('perf_event_open(size=%d, pid=%d, cpu=%d, group=%d, flags=%d) = %d', declared, pid, cpu, groupFd, flags, fd);
      return { fd };
    }
    const errno = koffi.errno();
    // E2BIG: the kernel wrote its own attr size into the size field.
    if (errno === ERRNO_E2BIG) {
      const attrSize = sizeField(attr);
      if (sysLog.enabled) sysLog('perf_event_open(size=%d, pid=%d, cpu=%d, group=%d, flags=%d) = -1 %s (kernel size %d)', declared, pid, cpu, groupFd, flags, errnoName(errno), attrSize);
      return { errno, attrSize };
    }
    if (sysLog.enabled) sysLog('perf_event_open(size=%d, pid=%d, cpu=%d, group=%d, flags=%d) = -1 %s', declared, pid, cpu, groupFd, flags, errnoName(errno));
    return { errno };
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

  /**
   * ioctl(fd, request, arg). A perf request's argument is checked against what
   * the kernel does with it (./ioctl-args); any other request needs `argSize`,
   * the bytes the kernel reads or writes through arg (0: arg is a value).
   */
  ioctl(fd: number, request: number, arg: IoctlArg = 0, argSize?: number): NumResult {
    checkFd(fd, 'ioctl');
    if (!Number.isInteger(request) || request < 0 || request > 0xffffffff) {
      throw new RangeError(`ioctl: request ${clipArg(request)} is not an unsigned 32-bit number`);
    }
    const isBuf = arg instanceof Uint8Array;
    if (!isBuf && ((typeof arg !== 'bigint' && (!Number.isInteger(arg) || arg < 0)) || (typeof arg === 'bigint' && (arg < 0n || arg >= 1n << 64n)))) {
      throw new RangeError(`ioctl: argument ${clipArg(arg)} is not a non-negative integer or a buffer`);
    }
    checkIoctlArg(this.ioctlNames.get(request), request, arg, argSize);
    const r = isBuf
      ? Number(this.c.direct ? this.c.ioctlPtr(fd, request, arg) : this.c.ioctlPtr(fd, request, 'void *', arg))
      : Number(this.c.direct ? this.c.ioctlInt(fd, request, arg) : this.c.ioctlInt(fd, request, 'unsigned long', arg));
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

  close(fd: number): VoidResult {
    checkFd(fd, 'close');
    const r: number = this.c.close(fd);
    if (r >= 0) {
      if (sysLog.enabled) sysLog('close(%d) = 0', fd);
      return CLOSED;
    }
    const errno = koffi.errno();
    if (sysLog.enabled) sysLog('close(%d) = -1 %s', fd, errnoName(errno));
    return { errno };
  }

  /** close(fd) on libuv's thread pool (fs.close): this thread goes on while the kernel finishes the close. */
  closeAsync(fd: number): Promise<VoidResult> {
    checkFd(fd, 'close');
    return new Promise((resolve) => {
      fs.close(fd, (e) => {
        if (e) {
          const errno = ERRNO[e.code ?? ''] ?? ERRNO.EIO!;
          if (sysLog.enabled) sysLog('close(%d) (off thread) = -1 %s', fd, errnoName(errno));
          resolve({ errno });
          return;
        }
        if (sysLog.enabled) sysLog('close(%d) (off thread) = 0', fd);
        resolve({ ok: true });
      });
    });
  }

  fcntl(fd: number, cmd: number, arg = 0): NumResult {
    checkFd(fd, 'fcntl');
    if (!Number.isInteger(cmd) || !Number.isInteger(arg)) throw new RangeError(`fcntl: cmd ${clipArg(cmd)} and arg ${clipArg(arg)} must be integers`);
    const r = Number(this.c.direct ? this.c.fcntl(fd, cmd, arg) : this.c.fcntl(fd, cmd, 'long', arg));
    if (r < 0) {
      const errno = koffi.errno();
      if (sysLog.enabled) sysLog('fcntl(%d, %d, %d) = -1 %s', fd, cmd, arg, errnoName(errno));
      return { errno };
    }
    if (sysLog.enabled) sysLog('fcntl(%d, %d, %d) = %d', fd, cmd, arg, r);
    return { value: r };
  }

  /** mmap(NULL, length, prot, flags, fd, offset); prot and flags are required (./mappings). */
  mmap(fd: number, length: number, prot: number, flags: number, offset = 0): MmapResult {
    checkFd(fd, 'mmap');
    const page = this.pageSize();
    if (!Number.isInteger(length) || length <= 0 || length % page !== 0) {
      throw new RangeError(`mmap: length ${clipArg(length)} must be a positive multiple of the page size ${page}`);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset % page !== 0) {
      throw new RangeError(`mmap: offset ${clipArg(offset)} must be a non-negative multiple of the page size ${page}`);
    }
    return this.mappings.map(fd, length, prot, flags, offset);
  }

  /** Unmaps exactly what mmap mapped; only the mapping object mmap returned is accepted. */
  munmap(mapping: Mapping): VoidResult {
    return this.mappings.unmap(mapping);
  }

  /** mmap(NULL, length, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0). */
  mmapAnon(length: number, prot: number): MmapResult {
    const page = this.pageSize();
    if (!Number.isInteger(length) || length <= 0 || length % page !== 0) {
      throw new RangeError(`mmapAnon: length ${clipArg(length)} must be a positive multiple of the page size ${page}`);
    }
    return this.mappings.map(-1, length, prot, MAP_PRIVATE | mapAnonymous(this.arch), 0);
  }

  mprotect(mapping: Mapping, prot: number): VoidResult {
    return this.mappings.protect(mapping, prot);
  }

  functionAt(mapping: Mapping, offset: number, prototype: string): (...args: number[]) => number | bigint {
    return this.mappings.functionAt(mapping, offset, prototype);
  }

  prctl(option: number, arg2 = 0): NumResult {
    if (!Number.isInteger(option) || !Number.isInteger(arg2) || arg2 < 0) throw new RangeError(`prctl: option ${clipArg(option)} and arg ${clipArg(arg2)} must be non-negative integers`);
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
    if (!Number.isInteger(timeoutMs) || timeoutMs < -1 || timeoutMs > 0x7fffffff) throw new RangeError(`poll: timeout ${clipArg(timeoutMs)} must be an integer from -1 to 2147483647 (ms)`);
    const buf = Buffer.alloc(8 * Math.max(1, fds.length));
    fds.forEach((p, i) => {
      if (p === null || typeof p !== 'object') throw new RangeError(`poll: fds[${i}] is ${clipArg(p)}; expected { fd, events }`);
      checkFd(p.fd, 'poll');
      if (!Number.isInteger(p.events) || p.events < 0 || p.events > 0xffff) throw new RangeError(`poll: fds[${i}].events ${clipArg(p.events)} must be an integer 0..65535 (POLLIN, POLLOUT, ...)`);
      buf.writeInt32LE(p.fd, i * 8);
      buf.writeUInt16LE(p.events, i * 8 + 4);
    });
    const r = Number(this.c.poll(buf, fds.length, timeoutMs));
    if (r < 0) return { errno: koffi.errno() };
    return { ready: r, revents: fds.map((_, i) => buf.readInt16LE(i * 8 + 6)) };
  }

  watchReadable(fd: number, onReadable: () => void): ReadableWatch {
    return watchReadable(fd, onReadable);
  }

  /**
   * A read for hot loops: checked once here, then each call is the bare libc
   * read into `buf`'s address — no per-call validation, no result object.
   */
  bindRead(fd: number, buf: Uint8Array, length: number): BoundRead {
    checkFd(fd, 'bindRead');
    checkBuffer(buf, 'bindRead buffer');
    checkLength(length, buf, 'bindRead');
    // Touching .buffer moves a small typed array's bytes off the V8 heap, where
    // they never move again; the closure keeps `buf` (and so the memory) alive.
    if (buf.buffer.byteLength < buf.byteOffset + length) throw new RangeError('bindRead: buffer shorter than its view');
    const address = Number(koffi.address(buf));
    if (!Number.isSafeInteger(address) || address === 0) throw new RangeError('bindRead: buffer address is not usable');
    const read = this.c.readAddress;
    const keep = buf;
    return () => {
      const n = read(fd, address, length);
      if (n >= 0) return n;
      void keep;
      return -koffi.errno();
    };
  }

  private page = 0;
  pageSize(): number {
    if (this.page === 0) this.page = Number(this.c.getpagesize());
    return this.page;
  }

  getrlimit(resource: number): RlimitResult {
    const old = new BigUint64Array(2);
    if (Number(this.c.prlimit(0, resource, null, old)) !== 0) return { errno: koffi.errno() };
    return { soft: old[0]!, hard: old[1]! };
  }

  setrlimit(resource: number, soft: bigint, hard: bigint): VoidResult {
    if (soft < 0n || hard < 0n || soft > hard) throw new RangeError(`setrlimit: soft ${soft} and hard ${hard} must satisfy 0 <= soft <= hard`);
    const r = Number(this.c.prlimit(0, resource, BigUint64Array.of(soft, hard), null));
    return r === 0 ? { ok: true } : { errno: koffi.errno() };
  }

  threadCpuNs(): bigint {
    const ts = this.timespec;
    const r = Number(this.c.clockGettime(CLOCK_THREAD_CPUTIME_ID, ts));
    if (r !== 0) throw new Error(`clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: errno ${koffi.errno()}`);
    return BigInt(ts[0]!) * 1000000000n + BigInt(ts[1]!);
  }
}

const ERRNO_E2BIG = ERRNO.E2BIG;

/** close's success, one frozen object for every call (callers only test `'ok' in r` / `r.ok`). */
const CLOSED: VoidResult = Object.freeze({ ok: true as const });

/** perf_event_attr.size, bytes 4..7 read little-endian (as attrSizeField reads them), without a DataView. */
function sizeField(attr: Uint8Array): number {
  return (attr[4]! | (attr[5]! << 8) | (attr[6]! << 16)) + attr[7]! * 0x1000000;
}

/** A C int: an integer in the signed 32-bit range (what Number.isInteger plus the bounds say, without a call). */
function isInt32(v: unknown): boolean {
  return typeof v === 'number' && (v | 0) === v;
}

function notInt32(name: string, v: unknown): RangeError {
  return new RangeError(`perf_event_open ${name}: ${clipArg(v)} is not a 32-bit integer`);
}

let shared: RealKernel | undefined;

/** The process-wide real kernel (created on first use). */
export function realKernel(): RealKernel {
  shared ??= new RealKernel();
  return shared;
}

/**
 * The seam's contract for arguments no caller may pass, as real-kernel.ts
 * keeps it: a RangeError before any call is made (a buffer that is not one,
 * an attr too short for its size field, a pid, cpu or group fd that is not a
 * 32-bit integer, a length outside the buffer or not a multiple of the page,
 * a request number over 32 bits, work(ns) of a negative or infinite time);
 * the kernel's own errno answers come after.
 */
import { ATTR_SIZE_VER0 } from '../../src/abi';
import type { PollFd } from '../../src/sys/kernel';

export function checkOpenArgs(attr: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): void {
  if (!(attr instanceof Uint8Array)) throw new RangeError('perf_event_open attr: expected a Uint8Array or Buffer');
  if (attr.byteLength < 8) throw new RangeError(`perf_event_open attr: ${attr.byteLength} bytes cannot hold the size field`);
  const declared = new DataView(attr.buffer, attr.byteOffset, attr.byteLength).getUint32(4, true);
  const reads = declared === 0 ? ATTR_SIZE_VER0 : declared;
  if (reads > attr.byteLength && reads <= 4096) {
    throw new RangeError(`perf_event_open attr: size field says ${declared} bytes but the buffer holds ${attr.byteLength}`);
  }
  for (const [v, n] of [[pid, 'pid'], [cpu, 'cpu'], [groupFd, 'group_fd']] as const) {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`perf_event_open ${n}: ${v} is not a 32-bit integer`);
  }
  if (!Number.isInteger(flags) || flags < 0) throw new RangeError(`perf_event_open flags: ${flags} is not a non-negative integer`);
}

export function checkReadArgs(buf: Uint8Array, length: number): void {
  if (!(buf instanceof Uint8Array)) throw new RangeError('read buffer: expected a Uint8Array or Buffer');
  if (!Number.isInteger(length) || length < 0 || length > buf.byteLength) {
    throw new RangeError(`read: length ${length} outside the ${buf.byteLength}-byte buffer`);
  }
}

export function checkIoctlRequest(request: number): void {
  if (!Number.isInteger(request) || request < 0 || request > 0xffffffff) {
    throw new RangeError(`ioctl: request ${request} is not an unsigned 32-bit number`);
  }
}

export function checkCloseFd(fd: number): void {
  if (!Number.isInteger(fd) || fd < 0) throw new RangeError(`close: fd ${fd} is not a valid file descriptor`);
}

export function checkMmapArgs(length: number, offset: number, page: number): void {
  if (!Number.isInteger(length) || length <= 0 || length % page !== 0) {
    throw new RangeError(`mmap: length ${length} must be a positive multiple of the page size ${page}`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset % page !== 0) {
    throw new RangeError(`mmap: offset ${offset} must be a non-negative multiple of the page size ${page}`);
  }
}

export function checkPollArgs(fds: readonly PollFd[], timeoutMs: number): void {
  if (!Array.isArray(fds)) throw new RangeError('poll: fds must be an array of { fd, events }');
  if (!Number.isInteger(timeoutMs) || timeoutMs < -1) throw new RangeError(`poll: timeout ${timeoutMs} must be an integer >= -1`);
}

export function checkWorkNs(ns: number): void {
  if (!Number.isFinite(ns) || ns < 0) throw new RangeError(`work: ${ns} ns must be a non-negative number`);
}

/**
 * Calls on a SimKernel for its unit tests: open an attr (at the persona's
 * attr size unless told), expect an fd or an errno, an ioctl's request number
 * on the kernel's arch, and read one event (or group) decoded.
 */
import assert from 'node:assert/strict';
import {
  encodeAttr, AttrInput, PERF_TYPE, decodeRead, readSize, perfIoctl, archAbi,
} from '../../../src/abi';
import { isErr, OpenResult } from '../../../src/sys/kernel';
import type { SimKernel } from '../../sim';

export const MANUAL = { clock: 'manual' as const };
export const SW_CPU_CLOCK: AttrInput = { type: PERF_TYPE.SOFTWARE, config: 0, exclude_kernel: 1, exclude_hv: 1 };
export const HW_CYCLES: AttrInput = { type: PERF_TYPE.HARDWARE, config: 0, exclude_kernel: 1, exclude_hv: 1 };

export function open(k: SimKernel, attr: AttrInput, o: { size?: number; pid?: number; cpu?: number; group?: number; flags?: number } = {}): OpenResult {
  return k.perfEventOpen(encodeAttr(attr, { size: o.size ?? k.persona.attrSize }), o.pid ?? 0, o.cpu ?? -1, o.group ?? -1, o.flags ?? 0);
}
export function fdOf(r: OpenResult): number {
  assert.ok('fd' in r, `expected an fd, got ${JSON.stringify(r)}`);
  return r.fd;
}
export function errnoOf(r: OpenResult): number {
  assert.ok(isErr(r), `expected an errno, got ${JSON.stringify(r)}`);
  return r.errno;
}
export function ioc(k: SimKernel, name: string): number {
  return perfIoctl(name, archAbi(k.arch));
}
export function readOne(k: SimKernel, fd: number, fmt: bigint, members = 1): ReturnType<typeof decodeRead> & { bytes: number } {
  const buf = Buffer.alloc(readSize(fmt, members) + 64);
  const r = k.read(fd, buf);
  assert.ok('bytes' in r, `read failed: ${JSON.stringify(r)}`);
  if (r.bytes === 0) return { values: [], bytes: 0 };
  return { ...decodeRead(buf, fmt, r.bytes), bytes: r.bytes };
}

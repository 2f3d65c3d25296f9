/**
 * A tiny scripted Kernel for engine tests: perfEventOpen answers through a
 * function of the decoded attr, every fd is tracked so tests can assert that
 * nothing is left open.
 */
import sinon from 'sinon';
import { decodeAttr, type DecodedAttr } from '../../../src/abi/attr-codec';
import type { Kernel, OpenResult } from '../../../src/sys/kernel';

export interface OpenCall {
  attr: DecodedAttr;
  size: number;
  pid: number;
  cpu: number;
  groupFd: number;
  flags: number;
}

export type Answer = (call: OpenCall, bytes: Uint8Array) => OpenResult | 'fd';

export interface StubKernel extends Kernel {
  readonly open: Set<number>;
  readonly calls: OpenCall[];
}

export function stubKernel(answer: Answer): StubKernel {
  let next = 100;
  const open = new Set<number>();
  const calls: OpenCall[] = [];
  const k: StubKernel = {
    name: 'stub',
    host: false,
    arch: 'x64',
    open,
    calls,
    perfEventOpen: sinon.spy((bytes: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): OpenResult => {
      const size = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
      const call = { attr: decodeAttr(bytes.subarray(0, Math.min(bytes.byteLength, 144))), size, pid, cpu, groupFd, flags };
      calls.push(call);
      const a = answer(call, bytes);
      if (a !== 'fd') return a;
      const fd = next++;
      open.add(fd);
      return { fd };
    }),
    read: sinon.spy((_fd: number, buf: Uint8Array) => ({ bytes: buf.byteLength })),
    ioctl: sinon.spy(() => ({ value: 0 })),
    close: sinon.spy((fd: number) => (open.delete(fd) ? { ok: true as const } : { errno: 9 })),
    fcntl: sinon.spy(() => ({ value: 1 })),
    mmap: sinon.spy(() => ({ errno: 19 })),
    munmap: sinon.spy(() => ({ ok: true as const })),
    prctl: sinon.spy(() => ({ value: 0 })),
    poll: sinon.spy(() => ({ ready: 0, revents: [] })),
    pageSize: () => 4096,
  };
  return k;
}

/** errno numbers used by the tests. */
export const E = { EPERM: 1, ENOENT: 2, EINTR: 4, E2BIG: 7, EBADF: 9, EAGAIN: 11, EACCES: 13, ENODEV: 19, EINVAL: 22, EMFILE: 24, ENOSYS: 38, EOPNOTSUPP: 95 } as const;

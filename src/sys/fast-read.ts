/**
 * A read() for hot loops on the real kernel: bound once to a buffer the
 * caller owns, checked once when bound (fd, buffer, length), then each call
 * is the bare libc call — no per-call validation, no result object. Returns
 * the byte count, or -errno. Simulated kernels get a wrapper over
 * Kernel.read with the same contract, so callers need one code path.
 */
import koffi from 'koffi';
import type { Kernel } from './kernel';
import { RealKernel } from './real-kernel';

/** read(fd, buf, length) → bytes, or -errno. */
export type BoundRead = () => number;

let libcRead: ((fd: number, buf: Uint8Array, len: number) => number | bigint) | undefined;

function rawRead(): (fd: number, buf: Uint8Array, len: number) => number | bigint {
  if (!libcRead) {
    const lib = koffi.load('libc.so.6');
    libcRead = lib.func('long read(int fd, void *buf, size_t count)') as (fd: number, buf: Uint8Array, len: number) => number;
  }
  return libcRead;
}

/** Bind a read of `length` bytes of `fd` into `buf`. */
export function bindRead(kernel: Kernel, fd: number, buf: Uint8Array, length: number): BoundRead {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) throw new RangeError(`bindRead: fd ${fd} is not a valid file descriptor`);
  if (!(buf instanceof Uint8Array)) throw new RangeError('bindRead: buffer must be a Uint8Array or Buffer');
  if (!Number.isInteger(length) || length < 0 || length > buf.byteLength) throw new RangeError(`bindRead: length ${length} outside the ${buf.byteLength}-byte buffer`);
  if (kernel instanceof RealKernel) {
    const read = rawRead();
    return () => {
      const n = Number(read(fd, buf, length));
      return n >= 0 ? n : -koffi.errno();
    };
  }
  return () => {
    const r = kernel.read(fd, buf, length);
    return 'errno' in r ? -r.errno : r.bytes;
  };
}

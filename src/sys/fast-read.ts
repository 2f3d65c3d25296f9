/**
 * A read() for hot loops on the real kernel: bound once to a buffer the
 * caller owns, checked once when bound (fd, buffer, length), then each call
 * is the bare libc call — no per-call validation, no result object. Returns
 * the byte count, or -errno. Simulated kernels get a wrapper over
 * Kernel.read with the same contract, so callers need one code path.
 */
import koffi from 'koffi';
import type { Kernel } from './kernel';
import { checkBuffer, checkFd, checkLength, RealKernel } from './real-kernel';

/** read(fd, buf, length) → bytes, or -errno. */
export type BoundRead = () => number;

/** Bind a read of `length` bytes of `fd` into `buf`. */
export function bindRead(kernel: Kernel, fd: number, buf: Uint8Array, length: number): BoundRead {
  checkFd(fd, 'bindRead');
  checkBuffer(buf, 'bindRead buffer');
  checkLength(length, buf, 'bindRead');
  if (kernel instanceof RealKernel) {
    const read = kernel.readAtAddress();
    // Touching .buffer moves a small typed array's bytes off the V8 heap, where
    // they never move again; the closure keeps `buf` (and so the memory) alive.
    if (buf.buffer.byteLength < buf.byteOffset + length) throw new RangeError('bindRead: buffer shorter than its view');
    const address = Number(koffi.address(buf));
    if (!Number.isSafeInteger(address) || address === 0) throw new RangeError('bindRead: buffer address is not usable');
    const keep = buf;
    return () => {
      const n = read(fd, address, length);
      if (n >= 0) return n;
      void keep;
      return -koffi.errno();
    };
  }
  return () => {
    const r = kernel.read(fd, buf, length);
    return 'errno' in r ? -r.errno : r.bytes;
  };
}

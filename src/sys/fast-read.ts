/**
 * bindRead: a read() for hot loops, bound once to a buffer the caller owns,
 * checked once when bound (fd, buffer, length); each call returns the byte
 * count or -errno. A kernel that offers Kernel.bindRead (the real one: the
 * bare libc call) supplies it; any other gets wrapRead over Kernel.read with
 * the same contract, so callers need one code path.
 */
import type { BoundRead, Kernel } from './kernel';
import { checkBuffer, checkFd, checkLength } from './checks';

export type { BoundRead } from './kernel';

/** Bind a read of `length` bytes of `fd` into `buf`. */
export function bindRead(kernel: Kernel, fd: number, buf: Uint8Array, length: number): BoundRead {
  return kernel.bindRead ? kernel.bindRead(fd, buf, length) : wrapRead(kernel, fd, buf, length);
}

/** The default bound read: Kernel.read, its result object turned into bytes or -errno. */
export function wrapRead(kernel: Kernel, fd: number, buf: Uint8Array, length: number): BoundRead {
  checkFd(fd, 'bindRead');
  checkBuffer(buf, 'bindRead buffer');
  checkLength(length, buf, 'bindRead');
  return () => {
    const r = kernel.read(fd, buf, length);
    return 'errno' in r ? -r.errno : r.bytes;
  };
}

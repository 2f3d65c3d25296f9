/**
 * The libc functions the real kernel calls, bound through koffi once per
 * process. Module-private to src/sys: nothing here checks its arguments, so
 * nothing here is exported from the package.
 */
import koffi from 'koffi';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Fn = (...args: any[]) => any;

export interface Libc {
  syscallOpen: Fn;
  read: Fn;
  ioctlInt: Fn;
  ioctlPtr: Fn;
  close: Fn;
  fcntl: Fn;
  mmap: Fn;
  munmap: Fn;
  mprotect: Fn;
  prctl: Fn;
  poll: Fn;
  getpagesize: Fn;
  clockGettime: Fn;
  /** prlimit64(pid, resource, new, old) with 64-bit struct rlimit64 on every arch. */
  prlimit: Fn;
  /** read() taking the buffer as an address: koffi converts a number faster than it pins a Buffer. */
  readAddress: (fd: number, address: number, count: number) => number;
  /** true where a non-variadic prototype is safe for libc's variadic functions */
  direct: boolean;
}

let libc: Libc | undefined;

/** <time.h>: the calling thread's CPU-time clock (the same number on every Linux arch). */
export const CLOCK_THREAD_CPUTIME_ID = 3;

/** ABIs where variadic integer/pointer arguments travel exactly like fixed ones. */
const DIRECT_VARIADIC_ARCHES = new Set(['x64', 'ia32', 'arm64', 'arm', 'riscv64', 'loong64', 's390x']);

export function loadLibc(arch: string): Libc {
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
    mprotect: lib.func('int mprotect(void *addr, size_t len, int prot)'),
    prctl: v('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)', 'int prctl(int, ...)'),
    poll: lib.func('int poll(void *fds, unsigned long nfds, int timeout)'),
    getpagesize: lib.func('int getpagesize()'),
    clockGettime: lib.func('int clock_gettime(int clk, void *ts)'),
    prlimit: lib.func('int prlimit64(int pid, int resource, void *newLimit, void *oldLimit)'),
    readAddress: lib.func('long read(int fd, intptr_t buf, size_t count)') as Libc['readAddress'],
    direct,
  };
  return libc;
}

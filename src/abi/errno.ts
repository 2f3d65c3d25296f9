/**
 * Linux errno numbers and names (asm-generic values, which x86, arm, arm64,
 * riscv, s390 and loongarch use). Pure: no I/O.
 */
export const ERRNO: Readonly<Record<string, number>> = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8,
  EBADF: 9, ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16,
  EEXIST: 17, ENODEV: 19, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, ENOSPC: 28,
  ESPIPE: 29, EROFS: 30, ERANGE: 34, ENOSYS: 38, EOVERFLOW: 75, EOPNOTSUPP: 95,
  EADDRNOTAVAIL: 99,
};

const NAMES = new Map(Object.entries(ERRNO).map(([k, v]) => [v, k]));

/** Name of an errno value, e.g. 22 → "EINVAL"; unknown values → "E<n>". */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `E${errno}`;
}

/** One-line meaning of the errnos perf_event_open gives. */
export const ERRNO_MEANING: Readonly<Record<string, string>> = {
  EPERM: 'not permitted (capability, paranoid level, or a seccomp filter)',
  EACCES: 'access denied (perf_event_paranoid, or a capability this caller lacks)',
  ENOENT: 'no such event or PMU on this machine',
  ENODEV: 'the PMU or feature is not present on this machine',
  EOPNOTSUPP: 'known to the kernel but not supported by this PMU',
  EINVAL: 'invalid or unknown attribute value',
  E2BIG: 'attr larger than the kernel knows, with non-zero bytes past its size',
  ENOSYS: 'the syscall is not available (kernel without perf events, or seccomp)',
  EMFILE: 'the process has no free file descriptors',
  ENFILE: 'the system has no free file descriptors',
  ENOMEM: 'out of memory',
  EBUSY: 'the PMU is busy (another exclusive user)',
  EINTR: 'interrupted by a signal',
  EAGAIN: 'temporarily unavailable',
  ENOTTY: 'the ioctl is not known to this kernel',
  EBADF: 'bad file descriptor',
  EFAULT: 'bad address',
  ENOSPC: 'no space (e.g. too many breakpoints)',
  ESRCH: 'no such process',
  EOVERFLOW: 'value too large',
};

/**
 * The one errno table: what each errno of perf_event_open, ioctl and mmap
 * means as a status on its own, whether it is a fault of the moment
 * (transient, never cached as fact) and whether an open is simply retried.
 * Every site that turns an errno into a status reads this table.
 */
import { errnoName } from '../abi/errno';
import type { FeatureStatus } from './capability-map';

export interface ErrnoClass {
  /** The status the errno means without a base or an oracle to compare with. */
  readonly status: FeatureStatus;
  /** A fault of the moment, never a fact about the kernel. */
  readonly transient: boolean;
  /** Retried at once by the openers (a signal, a momentary shortage). */
  readonly retry: boolean;
}

const denied: ErrnoClass = { status: 'denied', transient: false, retry: false };
const noHardware: ErrnoClass = { status: 'no-hardware', transient: false, retry: false };
const unknown: ErrnoClass = { status: 'unsupported', transient: false, retry: false };
const momentRetry: ErrnoClass = { status: 'error', transient: true, retry: true };
const moment: ErrnoClass = { status: 'error', transient: true, retry: false };
const other: ErrnoClass = { status: 'error', transient: false, retry: false };

/** errno name → its class. An errno not listed is a non-transient `error`. */
export const ERRNO_CLASS: Readonly<Record<string, ErrnoClass>> = {
  EACCES: denied, EPERM: denied,
  ENOENT: noHardware, ENODEV: noHardware, EOPNOTSUPP: noHardware,
  EINVAL: unknown, E2BIG: unknown, ENOTTY: unknown, ENOSYS: unknown,
  EINTR: momentRetry, EAGAIN: momentRetry,
  EMFILE: moment, ENFILE: moment, ENOMEM: moment, EBUSY: moment,
};

export function errnoClass(errno: number): ErrnoClass {
  return ERRNO_CLASS[errnoName(errno)] ?? other;
}

/** A fault of the moment, never a fact about the kernel. */
export function isTransient(errno: number): boolean {
  return errnoClass(errno).transient;
}

/** Retry the same call at once (EINTR, EAGAIN). */
export function isRetryable(errno: number): boolean {
  return errnoClass(errno).retry;
}

/**
 * The status one refused open or ioctl means on its own, without a base or an
 * oracle to compare with (listings, behaviour checks): permission → denied,
 * absent PMU or event → no-hardware, refused as unknown → unsupported, and
 * anything else a fault of the moment.
 */
export function statusOfErrno(errno: number): FeatureStatus {
  return errnoClass(errno).status;
}

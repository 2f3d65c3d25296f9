/**
 * How a behaviour check ends early: a CheckAbort carries its verdict up to the
 * runner, so a hook can call ctx.open(...) and let a missing PMU become a Skip
 * without writing the classification itself. Also: errno → status.
 */
import { errnoName, ERRNO, ERRNO_MEANING } from '../abi/errno';
import type { FeatureStatus } from './types';
import type { Verdict } from './behaviour-types';

export class CheckAbort extends Error {
  readonly verdict: Verdict;
  constructor(verdict: Verdict) {
    super(verdict.reason ?? verdict.status);
    this.name = 'CheckAbort';
    this.verdict = verdict;
  }
}

/** The status an errno from perf_event_open (or an ioctl) means for a check. */
export function statusForErrno(errno: number): FeatureStatus {
  switch (errno) {
    case ERRNO.EACCES:
    case ERRNO.EPERM:
      return 'denied';
    case ERRNO.ENOENT:
    case ERRNO.ENODEV:
    case ERRNO.EOPNOTSUPP:
      return 'no-hardware';
    case ERRNO.EINVAL:
    case ERRNO.E2BIG:
    case ERRNO.ENOTTY:
    case ERRNO.ENOSYS:
      return 'unsupported';
    default:
      return 'error';
  }
}

/** A verdict for an errno on `what` (e.g. "open hardware/cpu_cycles"). */
export function errnoVerdict(what: string, errno: number): Verdict {
  const name = errnoName(errno);
  const meaning = ERRNO_MEANING[name];
  return {
    status: statusForErrno(errno),
    reason: `${what}: ${name}${meaning ? `, ${meaning}` : ''}`,
    errno,
    errnoName: name,
  };
}

/**
 * How a behaviour check ends early: a CheckAbort carries its verdict up to the
 * runner, so a hook can call ctx.open(...) and let a missing PMU become a Skip
 * without writing the classification itself. Also: errno → status.
 */
import { errnoName, ERRNO_MEANING } from '../abi/errno';
import type { Verdict } from './behaviour-types';
import { statusOfErrno } from '../model/errno-class';

export class CheckAbort extends Error {
  readonly verdict: Verdict;
  constructor(verdict: Verdict) {
    super(verdict.reason ?? verdict.status);
    this.name = 'CheckAbort';
    this.verdict = verdict;
  }
}

/** A verdict for an errno on `what` (e.g. "open hardware/cpu_cycles"). */
export function errnoVerdict(what: string, errno: number): Verdict {
  const name = errnoName(errno);
  const meaning = ERRNO_MEANING[name];
  return {
    status: statusOfErrno(errno),
    reason: `${what}: ${name}${meaning ? `, ${meaning}` : ''}`,
    errno,
    errnoName: name,
  };
}

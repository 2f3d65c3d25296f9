/**
 * Open a resolved event once on a Kernel and classify the answer, for
 * listings: supported / denied / no-hardware / unsupported / error. The fd is
 * always closed.
 */
import { encodeAttr } from '../abi/attr-codec';
import { smallestAttrSize } from '../abi/attr-layout';
import { errnoName } from '../abi/errno';
import { PERF_FLAG } from '../abi/constants';
import type { Kernel } from '../sys/kernel';
import { isErr } from '../sys/kernel';
import type { FeatureStatus } from '../model/capability-map';
import { statusOfErrno } from '../model/errno-class';

/** Smallest published attr size that holds every non-zero field of `attr`. */
export const attrSizeFor = smallestAttrSize;


export interface OpenStatus {
  status: FeatureStatus;
  errno?: number;
  errnoName?: string;
}

function tryOpen(kernel: Kernel, attr: Record<string, number | bigint>): { fd: number } | { errno: number } {
  const bytes = encodeAttr({ ...attr, disabled: 1 }, { size: attrSizeFor(attr) });
  const r = kernel.perfEventOpen(bytes, 0, -1, -1, PERF_FLAG.FD_CLOEXEC);
  if (isErr(r)) return { errno: r.errno };
  return { fd: r.fd };
}

/**
 * Open `attr` for this task on any CPU. When counting kernel space is denied,
 * try again counting user space only: an event a user can count is supported.
 */
export function openStatus(kernel: Kernel, attr: Record<string, number | bigint>): OpenStatus {
  let r = tryOpen(kernel, attr);
  if ('errno' in r && statusOfErrno(r.errno) === 'denied' && !attr.exclude_kernel) {
    const retry = tryOpen(kernel, { ...attr, exclude_kernel: 1, exclude_hv: 1 });
    // The retry's answer wins (an fd, or ENOENT: the event is absent whoever
    // asks) except EINVAL-like refusals: a PMU that cannot exclude kernel space
    // (msr, many uncore PMUs) must not turn "denied" into a wrong "unsupported".
    if ('fd' in retry || statusOfErrno(retry.errno) !== 'unsupported') r = retry;
  }
  if ('fd' in r) {
    kernel.close(r.fd);
    return { status: 'supported' };
  }
  return { status: statusOfErrno(r.errno), errno: r.errno, errnoName: errnoName(r.errno) };
}

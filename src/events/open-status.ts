/**
 * Open a resolved event once on a Kernel and classify the answer, for
 * listings: supported / denied / no-hardware / unsupported / error. The fd is
 * always closed.
 */
import { smallestAttrSize } from '../abi/attr-layout';
import type { Kernel } from '../sys/kernel';
import { openScope } from '../open/scope';
import type { FeatureStatus } from '../model/capability-map';

/** Smallest published attr size that holds every non-zero field of `attr`. */
export const attrSizeFor = smallestAttrSize;


export interface OpenStatus {
  status: FeatureStatus;
  errno?: number;
  errnoName?: string;
}

/**
 * Open `attr` for this task on any CPU. When counting kernel space is denied,
 * try again counting user space only: an event a user can count is supported.
 */
export function openStatus(kernel: Kernel, attr: Record<string, number | bigint>): OpenStatus {
  const scope = openScope(kernel, { cloexec: true });
  try {
    const r = scope.open({ ...attr, disabled: 1 }, {}, { userOnlyOnDenied: true, retry: false });
    if ('fd' in r) return { status: 'supported' };
    return { status: r.status, errno: r.errno, errnoName: r.errnoName };
  } finally {
    scope.dispose();
  }
}

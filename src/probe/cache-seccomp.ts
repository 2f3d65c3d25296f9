/**
 * The seccomp part of the cache key (./cache-key): under a filter (mode 2),
 * what it answers to the few perf_event_open arguments that matter, so two
 * filters with the same count but different rules get different keys. Apart
 * from the key so that a key made without a filter never encodes an attr.
 */
import { encodeAttr } from '../abi/attr-codec';
import { PERF_FLAG } from '../abi/constants';
import { isTransient } from '../model/errno-class';
import { isErr, type Kernel } from '../sys/kernel';
import { BASES } from './bases';

/** Oldest attr size (PERF_ATTR_SIZE_VER0): every kernel takes it. */
const ATTR_SIZE_VER0 = 64;
/** A flag bit no kernel knows: EINVAL from the kernel, or the filter's answer. */
const UNKNOWN_FLAG = 1 << 4;

/** [pid, cpu, flags] of the checks; group_fd -1. PID_CGROUP with cpu -1 is EINVAL in the kernel itself. */
const SECCOMP_CHECKS: ReadonlyArray<readonly [number, number, number]> = [
  [0, -1, 0],
  [0, -1, PERF_FLAG.FD_CLOEXEC],
  [0, -1, PERF_FLAG.FD_NO_GROUP],
  [0, -1, PERF_FLAG.FD_OUTPUT],
  [0, -1, PERF_FLAG.PID_CGROUP],
  [0, -1, UNKNOWN_FLAG],
  [0, 0, 0],
  [-1, 0, 0],
];

/** What the filter answers to each check (errno, or 0 when it opened); null on a fault of the moment. */
export function seccompFingerprint(kernel: Kernel): string | null {
  const attr = encodeAttr(BASES.counting, { size: ATTR_SIZE_VER0 });
  const out: number[] = [];
  for (const [pid, cpu, flags] of SECCOMP_CHECKS) {
    const r = kernel.perfEventOpen(Buffer.from(attr), pid, cpu, -1, flags);
    if (isErr(r)) {
      if (isTransient(r.errno)) return null;
      out.push(r.errno);
    } else {
      kernel.close(r.fd);
      out.push(0);
    }
  }
  return out.join(',');
}

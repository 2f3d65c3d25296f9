/**
 * Which capability to name when perf_event_open is refused for lack of
 * privilege. Mainline knows paranoid levels up to 2, where CAP_PERFMON
 * (5.8+; CAP_SYS_ADMIN before) grants what the level withholds. Debian's and
 * Ubuntu's kernels add level 3 (Ubuntu also 4): perf_event_open begins with
 * `if (perf_paranoid_any() && !capable(CAP_SYS_ADMIN)) return -EACCES;`
 * (perf_paranoid_any: sysctl_perf_event_paranoid > 2), so there CAP_PERFMON
 * does not help and only CAP_SYS_ADMIN does. Pure.
 */

/** perf_paranoid_any(): the distribution level that refuses every open without CAP_SYS_ADMIN. */
export function paranoidAny(paranoid: number | null | undefined): boolean {
  return typeof paranoid === 'number' && paranoid > 2;
}

/** The capability that lifts the refusal at this paranoid level. */
export function capabilityToGrant(paranoid: number | null | undefined): 'CAP_SYS_ADMIN' | 'CAP_PERFMON' {
  return paranoidAny(paranoid) ? 'CAP_SYS_ADMIN' : 'CAP_PERFMON';
}

/** One clause of advice: what to grant or lower, by level. */
export function privilegeAdvice(paranoid: number | null | undefined): string {
  if (paranoidAny(paranoid)) {
    return `perf_event_paranoid ${paranoid} (a Debian/Ubuntu level: perf_paranoid_any) refuses perf_event_open to any caller without CAP_SYS_ADMIN — CAP_PERFMON is not enough; grant CAP_SYS_ADMIN, or lower kernel.perf_event_paranoid to 2 (user-space counting of one's own tasks)`;
  }
  return `lower kernel.perf_event_paranoid (2 allows user-space counting of one's own tasks) or grant CAP_PERFMON`;
}

/** What a refused open asked for beyond one's own tasks' user space. */
export type PrivilegedScope = 'kernel' | 'cpu-wide' | 'other-user';

/**
 * The mainline paranoid level each scope is open at without a capability:
 * kernel space at ≤ 1 (perf_allow_kernel), CPU-wide at ≤ 0 (perf_allow_cpu),
 * another user's task at ≤ 1 and only under ptrace rules (perf_check_permission).
 */
const OPEN_AT: Readonly<Record<PrivilegedScope, string>> = { kernel: '≤ 1', 'cpu-wide': '≤ 0', 'other-user': '≤ 1 and the same user' };

/** The capabilities a caller holds, as far as this rule needs them. */
export interface HeldCapabilities {
  readonly perfmon: boolean;
  readonly sysAdmin: boolean;
}

/** True when the caller holds what lifts the paranoid level's refusal (CAP_SYS_ADMIN; CAP_PERFMON below Debian's 3). */
export function holdsPrivilege(caps: HeldCapabilities, paranoid: number | null | undefined): boolean {
  return caps.sysAdmin || (caps.perfmon && !paranoidAny(paranoid));
}

/** One clause: what lifts a refusal of `scope` at this level, e.g. "needs CAP_PERFMON (or CAP_SYS_ADMIN), or kernel.perf_event_paranoid ≤ 1". */
export function privilegeNeeded(scope: PrivilegedScope, paranoid: number | null | undefined): string {
  const level = `kernel.perf_event_paranoid ${OPEN_AT[scope]}`;
  if (paranoidAny(paranoid)) {
    return `needs CAP_SYS_ADMIN (at perf_event_paranoid ${paranoid}, a Debian/Ubuntu level, CAP_PERFMON is not enough: perf_paranoid_any), or ${level}`;
  }
  return `needs CAP_PERFMON (or CAP_SYS_ADMIN), or ${level}`;
}

/** What this caller lacks, one clause; undefined when it holds what the level asks for. */
export function privilegeLacking(caps: HeldCapabilities, paranoid: number | null | undefined): string | undefined {
  if (holdsPrivilege(caps, paranoid)) return undefined;
  if (paranoidAny(paranoid)) return `this process lacks CAP_SYS_ADMIN${caps.perfmon ? ' (the CAP_PERFMON it holds is not enough at this level)' : ''}`;
  return 'this process has neither CAP_PERFMON nor CAP_SYS_ADMIN';
}

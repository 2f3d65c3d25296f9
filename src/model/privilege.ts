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

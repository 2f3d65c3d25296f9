/**
 * What a perf clock event (cpu-clock, task-clock) may read over windows of
 * work on this thread. Both run on the kernel's local_clock while the task is
 * on a CPU, so they also count what CLOCK_THREAD_CPUTIME_ID leaves out of the
 * thread's runtime: time the host stole from a virtual CPU (paravirt steal
 * accounting) and interrupt time (irq time accounting). On a busy CI host a
 * right count is thus above the thread clock (cpu-clock read 1.22× the thread
 * clock there once); it can never be above the wall time of the windows.
 * A count below the thread's CPU time in the windows is an under-count: an
 * event that was off for part of them.
 */
import assert from 'node:assert/strict';

/** Wall time of one window, CLOCK_MONOTONIC, in ns. */
export function wallNs<T>(fn: () => T): { value: T; ns: number } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { value, ns: Number(process.hrtime.bigint() - t0) };
}

/**
 * counted (ns, summed over the windows) is at least (1 - slack) of the
 * thread's CPU time in them and at most (1 + slack) of their wall time.
 */
export function assertClockCount(counted: number, threadNs: number, windowNs: number, what: string, slack = 0.1): void {
  const detail = `${what}: counted ${counted} ns; the thread clock ${threadNs} ns, the windows' wall time ${windowNs} ns`;
  assert.ok(counted >= threadNs * (1 - slack), `under-counted: ${detail}`);
  assert.ok(counted <= windowNs * (1 + slack), `counted more than the windows lasted: ${detail}`);
}

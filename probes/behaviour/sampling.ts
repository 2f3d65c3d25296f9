/** The sampling event the overflow, REFRESH and PERIOD checks share. */
import type { EventDecl } from '../../src/probe/behaviour-types';

/** PERF_SAMPLE_IP | PERF_SAMPLE_TID */
const SAMPLE_IP_TID = 0x3;

/** task-clock sampling every periodNs of this thread's CPU time. */
export function sampledClock(periodNs: number, wakeupEvents = 1): EventDecl {
  return { type: 'software', config: 'task_clock', sample_period: periodNs, sample_type: SAMPLE_IP_TID, wakeup_events: wakeupEvents };
}

/** Samples expected for `countNs` of task-clock at `periodNs`, and the tolerance around it. */
export function expectedSamples(countNs: number, periodNs: number, tolerance: number): { expected: number; low: number; high: number } {
  const expected = countNs / periodNs;
  return { expected, low: Math.floor(expected * (1 - tolerance)) - 2, high: Math.ceil(expected * (1 + tolerance)) + 2 };
}

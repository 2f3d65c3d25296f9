/**
 * Overflow: a task-clock sampling event writes one PERF_RECORD_SAMPLE per
 * period of the time it counted (±tolerance) into its ring buffer, and with
 * wakeup_events N the fd becomes readable (poll POLLIN) once N samples are
 * written — not before.
 *
 * The period is 1 ms. When fewer samples come than periods counted and no
 * throttling explains it, the timers may be coarser than that (a kernel under
 * emulation may run hrtimers at tick resolution): the check runs again at a
 * period those timers evidently can honour, and a kernel that delivers there
 * is supported, with a note. Broken only when the kernel clearly does not
 * deliver (see judgeSamples).
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { coarsePeriod, judgeSamples, sampleRun, SampleRun } from './sampling';

export const OVERFLOW_PERIOD_NS = 1_000_000;
export const OVERFLOW_TOLERANCE = 0.25;
/** Work for about this many periods (fewer on the retry, whose periods are longer). */
const PERIODS = 40;
const RETRY_PERIODS = 20;
const WAKEUP_EVENTS = 16;

const check: BehaviourCheck = {
  name: 'overflow',
  description: `a sampling event delivers one sample per period (±${OVERFLOW_TOLERANCE * 100}%) and its wakeups`,
  run(ctx): Verdict {
    const maxRate = ctx.maxSampleRate();
    const judge = (r: SampleRun) => judgeSamples(r.countNs, r.periodNs, OVERFLOW_TOLERANCE, r.rec, maxRate);
    let run = sampleRun(ctx, OVERFLOW_PERIOD_NS, PERIODS, WAKEUP_EVENTS);
    let j = judge(run);
    const first = run;
    const measured: Record<string, number | string | boolean> = {};
    if (maxRate !== undefined) measured.maxSampleRate = maxRate;
    const retry = j.outcome !== 'ok' && run.rec.throttles === 0 && run.rec.lost === 0 ? coarsePeriod(run.countNs, run.periodNs, run.rec.samples) : undefined;
    if (retry !== undefined) {
      Object.assign(measured, { firstPeriodNs: run.periodNs, firstCountNs: run.countNs, firstSamples: run.rec.samples, firstExpected: j.expected });
      run = sampleRun(ctx, retry, RETRY_PERIODS, WAKEUP_EVENTS);
      const j2 = judge(run);
      if (j2.outcome !== 'broken') {
        measured.note = `coarse timers: ${first.rec.samples} samples for ${first.countNs} ns at ${first.periodNs} ns (one per ${Math.round(first.countNs / first.rec.samples)} ns); at ${retry} ns: ${run.rec.samples} samples, expected ${j2.low}..${j2.high}${j2.why ? ` (${j2.why})` : ''}`;
      } else {
        j2.why = `${j2.why}; at ${first.periodNs} ns before: ${first.rec.samples} samples for ${first.countNs} ns`;
      }
      j = j2;
    }
    Object.assign(measured, {
      countNs: run.countNs, periodNs: run.periodNs, samples: run.rec.samples, expected: j.expected, low: j.low, high: j.high,
      lost: run.rec.lost, throttles: run.rec.throttles, unthrottles: run.rec.unthrottles,
      readableBefore: run.readableBefore, readableAfter: run.readableAfter, wakeupEvents: WAKEUP_EVENTS,
    });
    if (j.outcome === 'limited' && j.why && measured.note === undefined) measured.note = j.why;
    const problems: string[] = [];
    if (run.corrupt) problems.push(run.corrupt);
    if (j.outcome === 'broken' && j.why) problems.push(j.why);
    if (first.readableBefore || run.readableBefore) problems.push('the fd was readable before any sample');
    if (run.rec.samples >= WAKEUP_EVENTS && !run.readableAfter) problems.push(`no wakeup: ${run.rec.samples} samples written with wakeup_events ${WAKEUP_EVENTS} but poll() saw nothing to read`);
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

export default check;

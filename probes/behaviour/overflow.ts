/**
 * Overflow: a task-clock sampling event with a small period writes one
 * PERF_RECORD_SAMPLE per period of counted time (±tolerance) into its ring
 * buffer, and with wakeup_events N the fd becomes readable (poll POLLIN)
 * once N samples are written — not before.
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { PERF_RECORD_LOST, PERF_RECORD_SAMPLE, valueOf } from './events';
import { expectedSamples, sampledClock } from './sampling';

export const OVERFLOW_PERIOD_NS = 100_000;
export const OVERFLOW_TOLERANCE = 0.25;
const WAKEUP_EVENTS = 16;

const check: BehaviourCheck = {
  name: 'overflow',
  description: `a sampling event delivers one sample per period (±${OVERFLOW_TOLERANCE * 100}%) and its wakeups`,
  run(ctx): Verdict {
    const ev = ctx.open(sampledClock(OVERFLOW_PERIOD_NS, WAKEUP_EVENTS), { readFormat: 0n });
    const ring = ctx.ring(ev, 16);
    const readableBefore = ctx.readable(ev);
    ctx.enable(ev);
    ctx.work({ cpu_ms: 30 });
    ctx.disable(ev);
    const count = valueOf(ctx.read(ev));
    const h = ring.headers();
    const samples = h.byType.get(PERF_RECORD_SAMPLE) ?? 0;
    const lost = h.byType.get(PERF_RECORD_LOST) ?? 0;
    const readableAfter = ctx.readable(ev);
    const { expected, low, high } = expectedSamples(count, OVERFLOW_PERIOD_NS, OVERFLOW_TOLERANCE);
    const measured = { countNs: count, periodNs: OVERFLOW_PERIOD_NS, samples, expected: Math.round(expected), low, high, lost, readableBefore, readableAfter, wakeupEvents: WAKEUP_EVENTS };
    const problems: string[] = [];
    if (h.corrupt) problems.push(h.corrupt);
    if (samples < low || samples > high) problems.push(`${samples} samples for ${count} ns at a period of ${OVERFLOW_PERIOD_NS} ns (expected ${low}..${high})`);
    if (readableBefore) problems.push('the fd was readable before any sample');
    if (samples >= WAKEUP_EVENTS && !readableAfter) problems.push(`no wakeup: ${samples} samples written with wakeup_events ${WAKEUP_EVENTS} but poll() saw nothing to read`);
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

export default check;

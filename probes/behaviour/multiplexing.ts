/**
 * Multiplexing: more hardware events than counters make the kernel rotate
 * them, so time_running < time_enabled, and value * enabled / running must
 * estimate the real count. The event is one that opens here, repeated past
 * the group limit (cycles, else the first generalised hardware event that
 * opens; never one this PMU lacks). The reference is the same event alone;
 * both are normalised by task-clock of the same interval so that the work
 * need not be identical. Needs a hardware PMU.
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import type { OpenedEvent } from '../../src/probe/behaviour-types';
import type { EventDecl } from '../../src/probe/behaviour-types';
import { HW_GROUP_EVENTS, TASK_CLOCK, times, valueOf } from './events';

/** Scaled rates must lie within this fraction of the reference rate. */
export const MULTIPLEX_TOLERANCE = 0.25;
/** Events opened at once at least: more than the counters of any current PMU (twice a larger known group limit). */
export const MULTIPLEX_EVENTS = 16;

const check: BehaviourCheck = {
  name: 'multiplexing',
  description: `more events than counters (cycles, or the first hardware event that opens, repeated): time_running < time_enabled, scaled counts within ${MULTIPLEX_TOLERANCE * 100}% of a reference`,
  run(ctx): Verdict {
    // The event: cycles, else the first that opens here (a check names only events that exist).
    let decl: EventDecl | undefined;
    let ref: OpenedEvent | undefined;
    let firstRefusal: Verdict | undefined;
    for (const d of HW_GROUP_EVENTS) {
      const ev = ctx.tryOpen(d);
      if ('status' in ev) { firstRefusal ??= ev; continue; }
      decl = d;
      ref = ev;
      break;
    }
    if (!decl || !ref) return firstRefusal!;
    const name = String(decl.config).replace(/_/g, '-');
    const limit = ctx.capabilities?.features['combo.group_schedulability']?.value;
    const count = Math.max(MULTIPLEX_EVENTS, typeof limit === 'number' ? 2 * limit : 0);
    // Reference: the event alone, per task-clock nanosecond.
    const refClock = ctx.open(TASK_CLOCK);
    for (const ev of [ref, refClock]) ctx.enable(ev);
    ctx.work({ cpu_ms: 30 });
    for (const ev of [ref, refClock]) ctx.disable(ev);
    const refRate = valueOf(ctx.read(ref)) / Math.max(1, valueOf(ctx.read(refClock)));
    if (!(refRate > 0)) return { status: 'untestable', reason: `the reference ${name} event counted 0 (see behaviour.counter_counts)` };

    const evs: OpenedEvent[] = [];
    for (let i = 0; i < count; i++) evs.push(ctx.open(decl));
    const clock = ctx.open(TASK_CLOCK);
    for (const ev of [...evs, clock]) ctx.enable(ev);
    ctx.work({ cpu_ms: 200 });
    for (const ev of [...evs, clock]) ctx.disable(ev);
    const clockNs = Math.max(1, valueOf(ctx.read(clock)));
    let multiplexed = 0;
    let never = 0;
    let worst = 0;
    for (const ev of evs) {
      const r = ctx.read(ev);
      const t = times(r);
      if (t.running === 0) { never++; continue; }
      if (t.running < t.enabled) multiplexed++;
      const rate = (valueOf(r) * t.enabled) / t.running / clockNs;
      worst = Math.max(worst, Math.abs(rate / refRate - 1));
    }
    const measured = { event: name, events: count, multiplexed, neverRan: never, referenceRate: Number(refRate.toFixed(4)), worstDeviation: Number(worst.toFixed(4)), tolerance: MULTIPLEX_TOLERANCE };
    if (multiplexed === 0 && never === 0) {
      return { status: 'untestable', reason: `${count} ${name} events all ran the whole time: the PMU has enough counters, nothing was multiplexed`, measured };
    }
    const problems: string[] = [];
    if (never > 0) problems.push(`${never} of ${count} ${name} events never ran in 200 ms (no rotation)`);
    if (worst > MULTIPLEX_TOLERANCE) problems.push(`a scaled count is ${(worst * 100).toFixed(0)}% off the reference (tolerance ${MULTIPLEX_TOLERANCE * 100}%)`);
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

export default check;

/**
 * Multiplexing: more hardware events than counters make the kernel rotate
 * them, so time_running < time_enabled, and value * enabled / running must
 * estimate the real count. The event is one that opens here, repeated past
 * the group limit (cycles, else the first generalised hardware event that
 * opens; never one this PMU lacks). The reference is a pinned copy of the
 * event enabled over the same window: the kernel keeps a pinned event on the
 * PMU the whole time (ctx_sched_in puts pinned groups on before any flexible
 * one, kernel/events/core.c) or puts it in error state, so its rate is the
 * one the multiplexed events saw while they ran: the same host speed, and
 * the same share of kernel time the rotation itself adds, which an
 * exclude_kernel count leaves out and task-clock does not (under qemu TCG,
 * unprivileged, that share alone put a lone reference 26% off). Where the
 * pinned copy does not open or was not on the PMU the whole window, the
 * reference is the event alone, measured before and after, each normalised
 * by task-clock of the same interval. The rotation is driven by
 * a timer (perf_mux_hrtimer_handler → perf_rotate_context in
 * kernel/events/core.c), which a loaded or emulated host fires late: the
 * window grows until every event has run long enough to be scaled, up to a
 * bound, instead of judging a rotation that has not happened yet. Needs a
 * hardware PMU.
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import type { BehaviourCtx, OpenedEvent } from '../../src/probe/behaviour-types';
import type { EventDecl } from '../../src/probe/behaviour-types';
import { HW_GROUP_EVENTS, TASK_CLOCK, times, valueOf } from './events';

/** Scaled rates must lie within this fraction of the reference rate. */
export const MULTIPLEX_TOLERANCE = 0.25;
/** The measured window: at least MIN_WINDOW_MS of work, in steps, until every event ran MIN_RUNNING_NS, at most MAX_WINDOW_MS. */
export const MIN_WINDOW_MS = 200;
export const WINDOW_STEP_MS = 50;
export const MAX_WINDOW_MS = 5000;
export const MIN_RUNNING_NS = 20e6;
/** Work of each reference interval (the event alone), before and after the window. */
export const REFERENCE_MS = 50;
/** Events opened at once at least: more than the counters of any current PMU (twice a larger known group limit). */
export const MULTIPLEX_EVENTS = 16;

const check: BehaviourCheck = {
  name: 'multiplexing',
  description: `more events than counters (cycles, or the first hardware event that opens, repeated): time_running < time_enabled, scaled counts within ${MULTIPLEX_TOLERANCE * 100}% of the event alone; the window lasts until every event has run`,
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
    // Reference: the event alone, per task-clock nanosecond, before and after the window
    // (the rate a loaded or emulated host gives drifts; the mean of both is the estimate).
    const refClock = ctx.open(TASK_CLOCK);
    const refRateNow = (): number => {
      for (const ev of [ref, refClock]) { ctx.reset(ev); ctx.enable(ev); }
      ctx.work({ cpu_ms: REFERENCE_MS });
      for (const ev of [ref, refClock]) ctx.disable(ev);
      return valueOf(ctx.read(ref)) / Math.max(1, valueOf(ctx.read(refClock)));
    };
    const before = refRateNow();
    if (!(before > 0)) return { status: 'untestable', reason: `the reference ${name} event counted 0 (see behaviour.counter_counts)` };

    const evs: OpenedEvent[] = [];
    for (let i = 0; i < count; i++) evs.push(ctx.open(decl));
    const clock = ctx.open(TASK_CLOCK);
    // The pinned copy goes on before any flexible group and stays on: it holds one counter, the copies rotate on the rest.
    const pin = ctx.tryOpen({ ...decl, pinned: 1 });
    const pinned = 'status' in pin ? undefined : pin;
    const window = [...evs, clock, ...(pinned ? [pinned] : [])];
    for (const ev of window) ctx.enable(ev);
    // The window lasts until every event has run long enough to be scaled (the rotation is a
    // timer: on a loaded host it fires late, and a fixed window leaves events that never ran).
    let windowMs = 0;
    const allRan = (): boolean => evs.every((ev) => times(ctx.read(ev)).running >= MIN_RUNNING_NS);
    do {
      ctx.work({ cpu_ms: WINDOW_STEP_MS });
      windowMs += WINDOW_STEP_MS;
    } while (windowMs < MAX_WINDOW_MS && (windowMs < MIN_WINDOW_MS || !allRan()));
    for (const ev of window) ctx.disable(ev);
    const pinnedRate = pinned ? wholeWindowRate(ctx, pinned) : undefined;
    const after = refRateNow();
    const clockNs = Math.max(1, valueOf(ctx.read(clock)));
    // Both references per ns of the window: the pinned copy's count per ns enabled, or the lone rate per task-clock ns scaled to it.
    const loneRate = (before + after) / 2;
    const reference = pinnedRate !== undefined ? 'pinned' : 'lone';
    let multiplexed = 0;
    let never = 0;
    let short = 0;
    let worst = 0;
    for (const ev of evs) {
      const r = ctx.read(ev);
      const t = times(r);
      if (t.running === 0) { never++; continue; }
      if (t.running < t.enabled) multiplexed++;
      if (t.running < MIN_RUNNING_NS) { short++; continue; }
      const deviation = pinnedRate !== undefined
        ? valueOf(r) / t.running / pinnedRate - 1
        : (valueOf(r) * t.enabled) / t.running / clockNs / loneRate - 1;
      worst = Math.max(worst, Math.abs(deviation));
    }
    const measured: Record<string, number | string> = {
      event: name, events: count, windowMs, multiplexed, neverRan: never, ranBriefly: short, reference,
      referenceRate: Number(loneRate.toFixed(4)), referenceDrift: Number(Math.abs(after / before - 1).toFixed(4)),
      worstDeviation: Number(worst.toFixed(4)), tolerance: MULTIPLEX_TOLERANCE,
    };
    if (pinnedRate !== undefined) measured.pinnedPerNs = Number(pinnedRate.toFixed(4));
    else measured.pinned = pinned ? 'not on the PMU the whole window' : `did not open: ${(pin as Verdict).reason ?? (pin as Verdict).status}`;
    if (multiplexed === 0 && never === 0) {
      return { status: 'untestable', reason: `${count} ${name} events all ran the whole time: the PMU has enough counters, nothing was multiplexed`, measured };
    }
    const problems: string[] = [];
    if (never > 0) problems.push(`${never} of ${count} ${name} events never ran in ${windowMs} ms (no rotation)`);
    if (short > 0) problems.push(`${short} of ${count} ${name} events ran under ${MIN_RUNNING_NS / 1e6} ms in ${windowMs} ms (the rotation barely reached them)`);
    if (worst > MULTIPLEX_TOLERANCE) problems.push(`a scaled count is ${(worst * 100).toFixed(0)}% off the ${reference === 'pinned' ? 'pinned copy of the event over the same window' : 'event alone'} (tolerance ${MULTIPLEX_TOLERANCE * 100}%)`);
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

/** The pinned copy's count per ns enabled, when it was on the PMU the whole window and counted; undefined otherwise. */
function wholeWindowRate(ctx: BehaviourCtx, ev: OpenedEvent): number | undefined {
  const r = ctx.readUnlessError(ev);
  if (!r) return undefined;
  const t = times(r);
  const v = valueOf(r);
  return t.enabled > 0 && t.running === t.enabled && v > 0 ? v / t.enabled : undefined;
}

export default check;

/**
 * The sampling event the overflow, REFRESH and PERIOD checks share, and how
 * the overflow and PERIOD checks judge a sample count.
 *
 * A sample count is judged against the time the event itself counted (its
 * task-clock value), never wall time. Under emulation the kernel throttles
 * sampling (PERF_RECORD_THROTTLE/UNTHROTTLE; it lowers
 * perf_event_max_sample_rate itself when sampling interrupts take long) and
 * hrtimers are coarse, so fewer samples than periods is not by itself a
 * broken kernel: only none at all, or a count far outside the tolerance
 * that no throttling or loss explains, is.
 */
import type { EventDecl } from '../../src/probe/behaviour-types';
import { PERF_SAMPLE } from '../../src/abi/constants';
import type { RingHeaders } from '../../src/probe/behaviour-types';
import type { BehaviourCtx as BehaviourContext, OpenedEvent } from '../../src/probe/behaviour-types';
import { PERF_RECORD_LOST, PERF_RECORD_SAMPLE, PERF_RECORD_THROTTLE, PERF_RECORD_UNTHROTTLE, valueOf } from './events';

const SAMPLE_IP_TID = PERF_SAMPLE.IP! | PERF_SAMPLE.TID!;

/** A count beyond this factor of the expected one (either way) is "far outside". */
export const FAR_FACTOR = 3;

/** task-clock sampling every periodNs of this thread's CPU time. */
export function sampledClock(periodNs: number, wakeupEvents = 1): EventDecl {
  return { type: 'software', config: 'task_clock', sample_period: periodNs, sample_type: SAMPLE_IP_TID, wakeup_events: wakeupEvents };
}

/** Samples expected for `countNs` of task-clock at `periodNs`, and the tolerance around it. */
export function expectedSamples(countNs: number, periodNs: number, tolerance: number): { expected: number; low: number; high: number } {
  const expected = countNs / periodNs;
  return { expected, low: Math.floor(expected * (1 - tolerance)) - 2, high: Math.ceil(expected * (1 + tolerance)) + 2 };
}

/** Record counts of a ring that bear on a sample count. */
export interface SampleRecords { samples: number; throttles: number; unthrottles: number; lost: number }

export function sampleRecords(h: RingHeaders): SampleRecords {
  const n = (t: number): number => h.byType.get(t) ?? 0;
  return { samples: n(PERF_RECORD_SAMPLE), throttles: n(PERF_RECORD_THROTTLE), unthrottles: n(PERF_RECORD_UNTHROTTLE), lost: n(PERF_RECORD_LOST) };
}

export interface SampleJudgement {
  /** ok: within tolerance; limited: outside it but explained (throttled, lost, coarse timer); broken: the kernel does not deliver. */
  outcome: 'ok' | 'limited' | 'broken';
  expected: number;
  low: number;
  high: number;
  /** What explains a limited count, or what is wrong with a broken one. */
  why?: string;
}

/**
 * Judge `rec.samples` for `countNs` counted at `periodNs`. `maxSampleRate`
 * is perf_event_max_sample_rate when known.
 */
export function judgeSamples(countNs: number, periodNs: number, tolerance: number, rec: SampleRecords, maxSampleRate?: number): SampleJudgement {
  const { expected, low, high } = expectedSamples(countNs, periodNs, tolerance);
  const base = { expected: Math.round(expected), low, high };
  const { samples } = rec;
  if (samples >= low && samples <= high) return { outcome: 'ok', ...base };
  const said = `${samples} samples for ${countNs} ns counted at a period of ${periodNs} ns (expected ${low}..${high})`;
  if (samples === 0 && expected >= 3) return { outcome: 'broken', ...base, why: `no samples: ${said}` };
  const explained: string[] = [];
  if (rec.throttles > 0) explained.push(`throttled ${rec.throttles} time(s)`);
  if (rec.lost > 0) explained.push(`${rec.lost} LOST record(s)`);
  if (maxSampleRate !== undefined && maxSampleRate < 1e9 / periodNs) explained.push(`perf_event_max_sample_rate ${maxSampleRate}/s is below the ${Math.round(1e9 / periodNs)}/s asked`);
  if (samples < low && explained.length > 0) return { outcome: 'limited', ...base, why: `${said}: ${explained.join(', ')}` };
  const far = samples < expected / FAR_FACTOR - 2 || samples > expected * FAR_FACTOR + 2;
  if (far) return { outcome: 'broken', ...base, why: `${said}, more than ${FAR_FACTOR}× off with no throttling or loss to explain it` };
  return { outcome: 'limited', ...base, why: `${said}: within ${FAR_FACTOR}× (coarse timers or a busy machine)` };
}

/** The longest period a retry on coarse timers uses. */
export const MAX_RETRY_PERIOD_NS = 50_000_000;

/**
 * When a count fell short of one sample per period, a period the timers
 * evidently can honour: twice the counted time per delivered sample, at
 * least twice the period, rounded up to a millisecond (at most
 * MAX_RETRY_PERIOD_NS). Undefined when nothing was delivered (no evidence)
 * or the count was not short.
 */
export function coarsePeriod(countNs: number, periodNs: number, samples: number): number | undefined {
  if (!(samples > 0) || samples >= countNs / periodNs) return undefined;
  const perSample = countNs / samples;
  const p = Math.ceil(Math.max(2 * perSample, 2 * periodNs) / 1e6) * 1e6;
  return Math.min(p, MAX_RETRY_PERIOD_NS);
}

export interface SampleRun {
  periodNs: number;
  countNs: number;
  rec: SampleRecords;
  corrupt?: string;
  readableBefore: boolean;
  readableAfter: boolean;
}

/**
 * Work in chunks of the calibrated loop until the enabled event `ev` has
 * counted `targetNs` more (its own task-clock value): the time a sample
 * count is judged against, whatever the calibration (a JIT that delivers
 * its fast loop late, under emulation, makes "40 ms" of iterations 2 ms).
 * Gives up after 20× the target (at least 2 s) of work.
 */
export function workCounted(ctx: BehaviourContext, ev: OpenedEvent, targetNs: number): void {
  const start = valueOf(ctx.read(ev));
  let chunk = ctx.iterationsFor(Math.min(targetNs / 1e6, 5));
  let spent = 0;
  const limit = Math.max(20 * targetNs, 2e9);
  for (let i = 0; i < 100_000 && spent < limit; i++) {
    const w = ctx.work({ iterations: chunk });
    spent += w.wallNs;
    if (valueOf(ctx.read(ev)) - start >= targetNs) return;
    if (w.wallNs < 1e6 && chunk < 1e9) chunk *= 2;
  }
}

/** Open a task-clock sampling event at periodNs with a ring, work about `periods` periods, count what came. */
export function sampleRun(ctx: BehaviourContext, periodNs: number, periods: number, wakeupEvents: number): SampleRun {
  const ev = ctx.open(sampledClock(periodNs, wakeupEvents), { readFormat: 0n });
  const ring = ctx.ring(ev, 16);
  const readableBefore = ctx.readable(ev);
  ctx.enable(ev);
  workCounted(ctx, ev, periods * periodNs);
  ctx.disable(ev);
  const countNs = valueOf(ctx.read(ev));
  const h = ring.headers();
  const run: SampleRun = { periodNs, countNs, rec: sampleRecords(h), readableBefore, readableAfter: ctx.readable(ev) };
  if (h.corrupt) run.corrupt = h.corrupt;
  return run;
}

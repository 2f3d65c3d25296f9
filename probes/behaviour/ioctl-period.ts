/**
 * PERF_EVENT_IOC_PERIOD changes the sampling period: after raising it 4×,
 * the same counted time gives a quarter of the samples (±tolerance).
 *
 * Under emulation sampling is throttled and timers are coarse, so samples
 * per period can be off on both sides of the ioctl; what PERIOD promises is
 * the change. The second interval is judged against the new period and, when
 * that is off, by the change of the rate (samples per counted ns) across the
 * ioctl, which such bias cancels out of. Broken only when no sample comes
 * after PERIOD, or the rate did not change by about the factor asked and no
 * throttling explains it.
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { valueOf } from './events';
import type { OpenedEvent, Ring } from '../../src/probe/behaviour-types';
import { coarsePeriod, workCounted, sampleRecords, sampledClock, SampleRecords } from './sampling';

const BASE_PERIOD_NS = 1_000_000;
const FACTOR = 4;
/** Periods of work at each period. */
const PERIODS = 40;
const RETRY_PERIODS = 15;
/** An interval that counted fewer periods than this is too short for a verdict. */
const MIN_PERIODS = 5;
export const PERIOD_TOLERANCE = 0.35;

const check: BehaviourCheck = {
  name: 'ioctl_period',
  description: `PERF_EVENT_IOC_PERIOD changes the sampling period (samples per counted ns within ${PERIOD_TOLERANCE * 100}%)`,
  run(ctx): Verdict {
    const interval = (ev: OpenedEvent, ring: Ring, periodNs: number, periods: number): { ns: number; rec: SampleRecords } => {
      const n0 = valueOf(ctx.read(ev));
      const r0 = sampleRecords(ring.headers());
      ctx.enable(ev);
      workCounted(ctx, ev, periods * periodNs);
      ctx.disable(ev);
      const r1 = sampleRecords(ring.headers());
      return {
        ns: valueOf(ctx.read(ev)) - n0,
        rec: { samples: r1.samples - r0.samples, throttles: r1.throttles - r0.throttles, unthrottles: r1.unthrottles - r0.unthrottles, lost: r1.lost - r0.lost },
      };
    };
    let PERIOD_NS = BASE_PERIOD_NS;
    let periods = PERIODS;
    let ev = ctx.open(sampledClock(PERIOD_NS), { readFormat: 0n });
    let ring = ctx.ring(ev, 16);
    let first = interval(ev, ring, PERIOD_NS, periods);
    // Timers coarser than the period (emulation): start again at a period they can honour.
    const coarse = first.rec.samples < (first.ns / PERIOD_NS) * (1 - PERIOD_TOLERANCE) && first.rec.throttles === 0
      ? coarsePeriod(first.ns, PERIOD_NS, first.rec.samples) : undefined;
    const coarseNote = coarse === undefined ? undefined : `coarse timers: ${first.rec.samples} samples for ${first.ns} ns at ${PERIOD_NS} ns, so measured from ${coarse} ns`;
    if (coarse !== undefined) {
      PERIOD_NS = coarse;
      periods = RETRY_PERIODS;
      ev = ctx.open(sampledClock(PERIOD_NS), { readFormat: 0n });
      ring = ctx.ring(ev, 16);
      first = interval(ev, ring, PERIOD_NS, periods);
    }
    ctx.period(ev, BigInt(PERIOD_NS * FACTOR));
    const second = interval(ev, ring, PERIOD_NS * FACTOR, periods);
    const ratio1 = first.rec.samples / (first.ns / PERIOD_NS);
    const ratio2 = second.rec.samples / (second.ns / (PERIOD_NS * FACTOR));
    // How much the sampling rate fell across the ioctl (FACTOR when PERIOD works).
    const change = ratio2 > 0 ? (ratio1 * FACTOR) / ratio2 : 0;
    const throttles = first.rec.throttles + second.rec.throttles;
    const measured: Record<string, number | string | boolean> = {
      samplesBefore: first.rec.samples, nsBefore: first.ns, samplesAfter: second.rec.samples, nsAfter: second.ns,
      periodBefore: PERIOD_NS, periodAfter: PERIOD_NS * FACTOR, ratioBefore: Number(ratio1.toFixed(3)), ratioAfter: Number(ratio2.toFixed(3)),
      rateChange: Number(change.toFixed(3)), throttles, lost: first.rec.lost + second.rec.lost,
    };
    if (coarseNote !== undefined) measured.note = coarseNote;
    if (!(first.rec.samples > 0)) return { status: 'untestable', reason: `no samples at the first period (${first.ns} ns counted); see behaviour.overflow`, measured };
    const tooShort = Math.min(first.ns / PERIOD_NS, second.ns / (PERIOD_NS * FACTOR));
    if (tooShort < MIN_PERIODS) return { status: 'untestable', reason: `too little time counted to judge: ${first.ns} ns at ${PERIOD_NS} ns, ${second.ns} ns at ${PERIOD_NS * FACTOR} ns (fewer than ${MIN_PERIODS} periods)`, measured };
    if (Math.abs(ratio2 - 1) <= PERIOD_TOLERANCE) return ctx.ok(measured);
    const said = `after PERIOD ${PERIOD_NS * FACTOR} ns: ${second.rec.samples} samples for ${second.ns} ns (${ratio2.toFixed(2)}× the new period's rate; before: ${ratio1.toFixed(2)}×)`;
    if (second.rec.samples === 0) return ctx.broken(`${said}: no samples after PERIOD`, measured);
    if (change >= FACTOR / 2 && change <= FACTOR * 2) {
      measured.note = `${coarseNote ? `${coarseNote}; ` : ''}${said}; the rate fell ${change.toFixed(2)}× for a ${FACTOR}× period, as asked (samples per period are off on both sides: coarse timers or throttling)`;
      return ctx.ok(measured);
    }
    if (throttles > 0 || first.rec.lost + second.rec.lost > 0) {
      measured.note = `${coarseNote ? `${coarseNote}; ` : ''}${said}; throttled ${throttles} time(s), so the rate change (${change.toFixed(2)}×) is not a verdict`;
      return ctx.ok(measured);
    }
    return ctx.broken(`${coarseNote ? `${coarseNote}; ` : ''}${said}; the rate changed ${change.toFixed(2)}× for a ${FACTOR}× period (accepted ${FACTOR / 2}..${FACTOR * 2})`, measured);
  },
};

export default check;

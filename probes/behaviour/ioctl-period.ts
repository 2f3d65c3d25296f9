/**
 * PERF_EVENT_IOC_PERIOD changes the sampling period: after raising it 4×,
 * the same counted time gives a quarter of the samples (±tolerance).
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { PERF_RECORD_SAMPLE, valueOf } from './events';
import { sampledClock } from './sampling';

const PERIOD_NS = 100_000;
const FACTOR = 4;
export const PERIOD_TOLERANCE = 0.35;

const check: BehaviourCheck = {
  name: 'ioctl_period',
  description: `PERF_EVENT_IOC_PERIOD changes the sampling period (samples per counted ns within ${PERIOD_TOLERANCE * 100}%)`,
  run(ctx): Verdict {
    const ev = ctx.open(sampledClock(PERIOD_NS), { readFormat: 0n });
    const ring = ctx.ring(ev, 16);
    const interval = (): { ns: number; samples: number } => {
      const n0 = valueOf(ctx.read(ev));
      const s0 = ring.headers().byType.get(PERF_RECORD_SAMPLE) ?? 0;
      ctx.enable(ev);
      ctx.work({ cpu_ms: 30 });
      ctx.disable(ev);
      return { ns: valueOf(ctx.read(ev)) - n0, samples: (ring.headers().byType.get(PERF_RECORD_SAMPLE) ?? 0) - s0 };
    };
    const first = interval();
    ctx.period(ev, BigInt(PERIOD_NS * FACTOR));
    const second = interval();
    const ratio1 = first.samples / (first.ns / PERIOD_NS);
    const ratio2 = second.samples / (second.ns / (PERIOD_NS * FACTOR));
    const measured = { samplesBefore: first.samples, nsBefore: first.ns, samplesAfter: second.samples, nsAfter: second.ns, periodBefore: PERIOD_NS, periodAfter: PERIOD_NS * FACTOR, ratioBefore: Number(ratio1.toFixed(3)), ratioAfter: Number(ratio2.toFixed(3)) };
    if (!(first.samples > 0)) return { status: 'untestable', reason: `no samples at the first period (${first.ns} ns counted); see behaviour.overflow`, measured };
    if (Math.abs(ratio2 - 1) > PERIOD_TOLERANCE) {
      return ctx.broken(`after PERIOD ${PERIOD_NS * FACTOR} ns: ${second.samples} samples for ${second.ns} ns (${ratio2.toFixed(2)}× the new period's rate; before: ${ratio1.toFixed(2)}×)`, measured);
    }
    return ctx.ok(measured);
  },
};

export default check;

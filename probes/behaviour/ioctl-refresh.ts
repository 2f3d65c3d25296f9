/**
 * PERF_EVENT_IOC_REFRESH n enables a sampling event for n overflows, after
 * which the kernel disables it: exactly n samples arrive and the count stops.
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { PERF_RECORD_SAMPLE, valueOf } from './events';
import { sampledClock } from './sampling';

const PERIOD_NS = 200_000;
const OVERFLOWS = 3;

const check: BehaviourCheck = {
  name: 'ioctl_refresh',
  description: `PERF_EVENT_IOC_REFRESH ${OVERFLOWS} allows ${OVERFLOWS} overflows, then disables the event`,
  run(ctx): Verdict {
    const ev = ctx.open(sampledClock(PERIOD_NS), { readFormat: 0n });
    const ring = ctx.ring(ev, 8);
    ctx.refresh(ev, OVERFLOWS);
    ctx.work({ cpu_ms: 20 });
    const stoppedAt = valueOf(ctx.read(ev));
    ctx.work({ cpu_ms: 5 });
    const later = valueOf(ctx.read(ev));
    const samples = ring.headers().byType.get(PERF_RECORD_SAMPLE) ?? 0;
    const measured = { refresh: OVERFLOWS, samples, countAfterWork: stoppedAt, countLater: later, periodNs: PERIOD_NS };
    const problems: string[] = [];
    if (samples !== OVERFLOWS) problems.push(`${samples} samples after REFRESH ${OVERFLOWS} and 20 ms of work at a ${PERIOD_NS} ns period (expected exactly ${OVERFLOWS})`);
    if (later !== stoppedAt) problems.push(`the event kept counting after its ${OVERFLOWS} overflows (${stoppedAt} then ${later})`);
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

export default check;

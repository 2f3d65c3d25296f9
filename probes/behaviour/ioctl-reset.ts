/** PERF_EVENT_IOC_RESET zeroes the count. */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { TASK_CLOCK, measure, valueOf } from './events';

const check: BehaviourCheck = {
  name: 'ioctl_reset',
  description: 'PERF_EVENT_IOC_RESET zeroes the counter',
  run(ctx): Verdict {
    const ev = ctx.open(TASK_CLOCK);
    const before = valueOf(measure(ctx, ev, 5));
    if (before === 0) return { status: 'untestable', reason: 'task-clock counted 0 before the reset (see behaviour.counter_counts)' };
    ctx.reset(ev);
    const after = valueOf(ctx.read(ev));
    const measured = { before, afterReset: after };
    return after === 0 ? ctx.ok(measured) : ctx.broken(`after RESET the disabled counter reads ${after} (it read ${before} before; expected 0)`, measured);
  },
};

export default check;

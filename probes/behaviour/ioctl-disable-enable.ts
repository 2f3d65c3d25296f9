/** PERF_EVENT_IOC_DISABLE stops the count and PERF_EVENT_IOC_ENABLE restarts it. */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { TASK_CLOCK, times, valueOf } from './events';

const check: BehaviourCheck = {
  name: 'ioctl_disable_enable',
  description: 'PERF_EVENT_IOC_DISABLE stops counting, PERF_EVENT_IOC_ENABLE restarts it',
  run(ctx): Verdict {
    const ev = ctx.open(TASK_CLOCK);
    ctx.enable(ev);
    ctx.work({ cpu_ms: 5 });
    ctx.disable(ev);
    const a = ctx.read(ev);
    ctx.work({ cpu_ms: 5 });
    const b = ctx.read(ev);
    ctx.enable(ev);
    ctx.work({ cpu_ms: 5 });
    ctx.disable(ev);
    const c = ctx.read(ev);
    const measured = { afterDisable: valueOf(a), whileDisabled: valueOf(b), afterEnable: valueOf(c), enabledAfterDisable: times(a).enabled, enabledWhileDisabled: times(b).enabled };
    const problems: string[] = [];
    if (valueOf(a) === 0) return { status: 'untestable', reason: 'task-clock counted 0 while enabled (see behaviour.counter_counts)', measured };
    if (valueOf(b) !== valueOf(a) || times(b).enabled !== times(a).enabled) problems.push(`DISABLE did not stop the counter: ${valueOf(a)} then ${valueOf(b)} after 5 ms of work while disabled`);
    if (!(valueOf(c) > valueOf(b))) problems.push(`ENABLE did not restart the counter: ${valueOf(b)} then ${valueOf(c)} after 5 ms of work`);
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

export default check;

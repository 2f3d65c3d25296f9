/** PERF_EVENT_IOC_ID returns the id that read_format ID reports, distinct per event. */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { CPU_CLOCK, TASK_CLOCK } from './events';

const check: BehaviourCheck = {
  name: 'ioctl_id',
  description: 'PERF_EVENT_IOC_ID matches the id of read_format ID',
  run(ctx): Verdict {
    const a = ctx.open(TASK_CLOCK);
    const b = ctx.open(CPU_CLOCK);
    const ioctlIds = [ctx.id(a), ctx.id(b)];
    const readIds = [a, b].map((ev) => ctx.read(ev).values[0]?.id ?? 0n);
    const measured = { ioctl: ioctlIds.join(','), read: readIds.join(',') };
    if (ioctlIds[0] !== readIds[0] || ioctlIds[1] !== readIds[1]) return ctx.broken(`PERF_EVENT_IOC_ID gave ${ioctlIds.join(', ')}, read_format ID gave ${readIds.join(', ')}`, measured);
    if (ioctlIds[0] === ioctlIds[1]) return ctx.broken(`two events share the id ${ioctlIds[0]}`, measured);
    return ctx.ok(measured);
  },
};

export default check;

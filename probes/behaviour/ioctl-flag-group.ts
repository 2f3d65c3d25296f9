/**
 * PERF_IOC_FLAG_GROUP applies ENABLE, DISABLE and RESET to every member: the
 * members are opened disabled themselves, so only a group-wide ENABLE makes
 * them count.
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { CPU_CLOCK, TASK_CLOCK } from './events';

const check: BehaviourCheck = {
  name: 'ioctl_flag_group',
  description: 'PERF_IOC_FLAG_GROUP enables, disables and resets the whole group',
  run(ctx): Verdict {
    const leader = ctx.open(TASK_CLOCK, { groupRead: true });
    ctx.open(CPU_CLOCK, { group: leader, disabled: true });
    ctx.open(TASK_CLOCK, { group: leader, disabled: true });
    const vals = (): bigint[] => ctx.read(leader).values.map((v) => v.value);
    ctx.enable(leader, true);
    ctx.work({ cpu_ms: 5 });
    ctx.disable(leader, true);
    const enabled = vals();
    ctx.work({ cpu_ms: 5 });
    const stopped = vals();
    ctx.reset(leader, true);
    const reset = vals();
    const measured = { afterEnable: enabled.join(','), afterDisable: stopped.join(','), afterReset: reset.join(',') };
    const problems: string[] = [];
    enabled.forEach((v, i) => { if (v === 0n) problems.push(`ENABLE|FLAG_GROUP left member ${i} at 0`); });
    stopped.forEach((v, i) => { if (v !== enabled[i]) problems.push(`DISABLE|FLAG_GROUP did not stop member ${i} (${enabled[i]} then ${v})`); });
    reset.forEach((v, i) => { if (v !== 0n) problems.push(`RESET|FLAG_GROUP left member ${i} at ${v}`); });
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

export default check;

/**
 * Group read: with PERF_FORMAT_GROUP one read() returns every member, with
 * time_enabled/time_running that are non-zero and advance while the group is
 * enabled (PAPI's sync-read bug: times read 0 unless the group was disabled)
 * and ids that match PERF_EVENT_IOC_ID. The shim reads per event when this
 * is broken.
 */
import type { ReadResult } from '../../src/abi/read-format';
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { CPU_CLOCK, TASK_CLOCK, times, valueOf } from './events';

export const GROUP_MEMBERS = 3;

/** Problems of one group read of clock events: every member present, counting, times sane. */
export function groupReadProblems(r: ReadResult, members: number, when: string): string[] {
  const out: string[] = [];
  const t = times(r);
  if (r.values.length !== members) out.push(`${when}: ${r.values.length} values for ${members} members`);
  if (t.enabled === 0 || t.running === 0) out.push(`${when}: time_enabled ${t.enabled}, time_running ${t.running} (expected both > 0)`);
  if (t.running > t.enabled) out.push(`${when}: time_running ${t.running} > time_enabled ${t.enabled}`);
  r.values.forEach((_, i) => {
    if (valueOf(r, i) === 0) out.push(`${when}: member ${i} counted 0`);
  });
  return out;
}

const check: BehaviourCheck = {
  name: 'group_read',
  description: 'group read returns every member with consistent times, also while enabled',
  run(ctx): Verdict {
    const leader = ctx.open(TASK_CLOCK, { groupRead: true });
    const m1 = ctx.open(CPU_CLOCK, { group: leader });
    const m2 = ctx.open(TASK_CLOCK, { group: leader });
    ctx.reset(leader, true);
    ctx.enable(leader, true);
    ctx.work({ cpu_ms: 5 });
    const r1 = ctx.read(leader);
    ctx.work({ cpu_ms: 5 });
    const r2 = ctx.read(leader);
    ctx.disable(leader, true);
    const r3 = ctx.read(leader);
    const measured: Record<string, number> = {
      members: r3.values.length,
      'enabled.read1': times(r1).enabled, 'running.read1': times(r1).running,
      'enabled.read2': times(r2).enabled, 'running.read2': times(r2).running,
      'enabled.disabled': times(r3).enabled, 'running.disabled': times(r3).running,
    };
    const problems = [
      ...groupReadProblems(r1, GROUP_MEMBERS, 'read while enabled'),
      ...groupReadProblems(r2, GROUP_MEMBERS, 'second read while enabled'),
      ...groupReadProblems(r3, GROUP_MEMBERS, 'read after disable'),
    ];
    if (!(times(r2).enabled > times(r1).enabled)) problems.push(`time_enabled did not advance between reads while enabled (${times(r1).enabled} then ${times(r2).enabled})`);
    r2.values.forEach((v, i) => {
      if (v.value < (r1.values[i]?.value ?? 0n)) problems.push(`member ${i} went backwards while enabled (${r1.values[i]?.value} then ${v.value})`);
    });
    // Ids: the read's ids are those of the fds, leader first, all distinct.
    const ids = r3.values.map((v) => v.id ?? 0n);
    if (new Set(ids.map(String)).size !== ids.length || ids.includes(0n)) problems.push(`ids in the group read are not distinct and non-zero: ${ids.join(', ')}`);
    let ioctlIds: bigint[] | undefined;
    try {
      ioctlIds = [leader, m1, m2].map((ev) => ctx.id(ev));
    } catch {
      ioctlIds = undefined; // PERF_EVENT_IOC_ID is 3.12+; behaviour.ioctl_id says more
    }
    if (ioctlIds && ioctlIds.some((id, i) => id !== ids[i])) problems.push(`group read ids ${ids.join(', ')} differ from PERF_EVENT_IOC_ID ${ioctlIds.join(', ')} (member order)`);
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

export default check;

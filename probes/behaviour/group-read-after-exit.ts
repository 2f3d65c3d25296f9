/**
 * Group read after the task exits: a group opened on a child still reads
 * every member with its final counts and times once the child has exited
 * (2.6.34 returned a broken group read for an exited task).
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { CPU_CLOCK, TASK_CLOCK, times } from './events';
import { GROUP_MEMBERS, groupReadProblems } from './group-read';

const check: BehaviourCheck = {
  name: 'group_read_after_exit',
  description: 'group read of a child that has exited returns every member',
  run(ctx): Verdict {
    const child = ctx.stoppedChild(ctx.shellSpin(5000));
    const leader = ctx.open(TASK_CLOCK, { pid: child.pid, groupRead: true, disabled: false });
    ctx.open(CPU_CLOCK, { pid: child.pid, group: leader });
    ctx.open(TASK_CLOCK, { pid: child.pid, group: leader });
    child.resume();
    if (!child.waitExit()) return { status: 'error', reason: `child ${child.pid} did not exit within ${ctx.childExitTimeoutMs / 1000} s (killed)` };
    const r = ctx.read(leader);
    const measured = { members: r.values.length, enabled: times(r).enabled, running: times(r).running, leader: Number(r.values[0]?.value ?? 0n) };
    const problems = groupReadProblems(r, GROUP_MEMBERS, 'read after the child exited');
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

export default check;

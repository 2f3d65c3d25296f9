/**
 * enable_on_exec: an event opened disabled on a child with enable_on_exec
 * counts nothing before the child execs and counts the exec'd program after;
 * the parent's own enable_on_exec event is not enabled by the child's exec.
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { PERF_FORMAT } from '../../src/abi/constants';
import { TASK_CLOCK, times, valueOf } from './events';

const TIMES = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;

const check: BehaviourCheck = {
  name: 'enable_on_exec',
  description: 'enable_on_exec counts the child after its exec, not before, and not the parent',
  run(ctx): Verdict {
    const child = ctx.stoppedChild(ctx.shellSpin(5000));
    const onChild = ctx.open(TASK_CLOCK, { pid: child.pid, readFormat: TIMES, attr: { enable_on_exec: 1 } });
    const onParent = ctx.open(TASK_CLOCK, { readFormat: TIMES, attr: { enable_on_exec: 1 } });
    const before = ctx.read(onChild);
    child.resume();
    if (!child.waitExit()) return { status: 'error', reason: `child ${child.pid} did not exit within ${ctx.childExitTimeoutMs / 1000} s (killed)` };
    const after = ctx.read(onChild);
    const parent = ctx.read(onParent);
    const measured = { beforeExec: valueOf(before), enabledBeforeExec: times(before).enabled, afterExec: valueOf(after), enabledAfterExec: times(after).enabled, parent: valueOf(parent) };
    const problems: string[] = [];
    if (valueOf(before) !== 0 || times(before).enabled !== 0) problems.push(`the child's event counted before exec (${valueOf(before)}, enabled ${times(before).enabled} ns)`);
    if (!(valueOf(after) > 0)) problems.push(`the child's event counted ${valueOf(after)} after exec (expected > 0: exec did not enable it)`);
    if (valueOf(parent) !== 0) problems.push(`the parent's enable_on_exec event counted ${valueOf(parent)} though the parent never exec'd`);
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

export default check;

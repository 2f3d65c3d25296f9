/**
 * inherit: an inherited task-clock on this thread also counts the children
 * it starts; the same event without inherit does not. The child's CPU time
 * (cutime + cstime of /proc/self/stat) is the reference.
 */
import { readFileSync } from 'node:fs';
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { PERF_FORMAT } from '../../src/abi/constants';
import { TASK_CLOCK, valueOf } from './events';

const TIMES = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;
/** Clock ticks per second of /proc stat times (USER_HZ, 100 on every Linux ABI). */
const USER_HZ = 100;

/** CPU time of this process's reaped children, ns (tick resolution), or null. */
function childrenCpuNs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3); cutime and cstime are fields 16 and 17.
    const cutime = Number(fields[13]);
    const cstime = Number(fields[14]);
    return Number.isFinite(cutime) && Number.isFinite(cstime) ? ((cutime + cstime) * 1e9) / USER_HZ : null;
  } catch {
    return null;
  }
}

const check: BehaviourCheck = {
  name: 'inherit',
  description: 'inherit counts the children started while the event is enabled',
  run(ctx): Verdict {
    const inherited = ctx.open(TASK_CLOCK, { readFormat: TIMES, attr: { inherit: 1 } });
    const own = ctx.open(TASK_CLOCK, { readFormat: TIMES });
    const cpu0 = childrenCpuNs();
    ctx.enable(inherited);
    ctx.enable(own);
    ctx.work({ exec: ctx.shellSpin(40000) });
    ctx.disable(inherited);
    ctx.disable(own);
    const cpu1 = childrenCpuNs();
    const inheritedNs = valueOf(ctx.read(inherited));
    const ownNs = valueOf(ctx.read(own));
    const childNs = inheritedNs - ownNs;
    const childCpu = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
    const measured: Record<string, number> = { inherited: inheritedNs, own: ownNs, childCounted: childNs };
    if (childCpu !== null) measured.childCpuNs = childCpu;
    // Tick accounting is coarse: demand half of it, less two ticks.
    const floor = childCpu !== null ? Math.max(1, childCpu * 0.5 - 2e9 / USER_HZ) : 1;
    if (!(childNs >= floor)) {
      return ctx.broken(`the inherited event counted ${childNs} ns more than the non-inherited one for a child that used ${childCpu ?? '?'} ns of CPU (expected >= ${Math.round(floor)})`, measured);
    }
    return ctx.ok(measured);
  },
};

export default check;

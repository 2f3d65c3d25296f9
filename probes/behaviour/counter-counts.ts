/**
 * A counter counts: task-clock (and cycles/instructions where a PMU has
 * them) is non-zero after work and grows with more work. A virtual PMU that
 * accepts the event but counts zeros is broken, not supported (rr's check).
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import { CYCLES, INSTRUCTIONS, TASK_CLOCK, measure, times, valueOf } from './events';

const check: BehaviourCheck = {
  name: 'counter_counts',
  description: 'counters count: task-clock, cycles and instructions grow with work',
  run(ctx): Verdict {
    const measured: Record<string, number | string> = {};
    const problems: string[] = [];
    for (const [key, decl, hardware] of [['task_clock', TASK_CLOCK, false], ['cpu_cycles', CYCLES, true], ['instructions', INSTRUCTIONS, true]] as const) {
      const ev = hardware ? ctx.tryOpen(decl) : ctx.open(decl);
      if ('status' in ev) {
        measured[key] = `absent: ${ev.errnoName ?? ev.status}`;
        continue;
      }
      const small = measure(ctx, ev, 5);
      const large = measure(ctx, ev, 25);
      const a = valueOf(small);
      const b = valueOf(large);
      measured[`${key}.5ms`] = a;
      measured[`${key}.25ms`] = b;
      if (times(large).running === 0) problems.push(`${key} never ran (time_running 0 after 25 ms of CPU work)`);
      else if (a === 0 || b === 0) problems.push(`${key} counted ${a} after 5 ms and ${b} after 25 ms of CPU work (a counter that counts zeros)`);
      else if (!(b > a)) problems.push(`${key} did not grow with work: ${a} after 5 ms, ${b} after 25 ms of CPU work`);
    }
    return problems.length > 0 ? ctx.broken(problems.join('; '), measured) : ctx.ok(measured);
  },
};

export default check;

/**
 * A counter counts: task-clock (and cycles/instructions where they open
 * here) is non-zero after work and grows with more work. An event that does
 * not open is not judged, and the verdict says so (a check never passes in
 * the name of an event that does not exist here). A virtual PMU that
 * accepts the event but counts zeros is broken, not supported (rr's check).
 *
 * The work is a fixed number of loop iterations (calibrated once to take
 * about 5 ms here), not an amount of process CPU time: a VM without
 * fine-grained CPU accounting charges CPU time by ticks, so "5 ms of CPU"
 * may run 40 ms. The judgement is a ratio of counts for N and K·N
 * iterations (less what an interval with no work counts), repeated a few times to get past a noisy run (a preemption, an
 * emulator's translation of new code) before anything is called broken.
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import type { BehaviourCtx as BehaviourContext, OpenedEvent } from '../../src/probe/behaviour-types';
import { CYCLES, INSTRUCTIONS, TASK_CLOCK, measure, times, valueOf } from './events';

/** K: the large run does K times the iterations of the small one. */
export const WORK_FACTOR = 5;
/** The count ratio large/small is accepted within [K/RATIO_SLACK, K·RATIO_SLACK]. */
export const RATIO_SLACK = 2.5;
/** Repetitions of the pair before a counter that does not scale is called broken. */
export const REPETITIONS = 5;
const SMALL_MS = 5;

/** One repetition: counts for no work (the fixed cost of enable/work/disable), N and K·N iterations. */
interface Run { base: number; small: number; large: number; running: number }

/**
 * large/small, less the fixed cost both carry (what the interval counts
 * with no work: syscalls, the work call itself — a few ms under emulation,
 * enough to pull a raw ratio of 5 down to 3). The raw ratio when the fixed
 * cost is not below the small count.
 */
export function ratioOf(r: Run): number {
  if (!(r.small > 0)) return 0;
  return r.base >= 0 && r.small > r.base && r.large > r.base ? (r.large - r.base) / (r.small - r.base) : r.large / r.small;
}

/** Whether a run's counts scale with the work within the slack. */
export function scales(r: Run): boolean {
  if (!(r.small > 0 && r.large > 0)) return false;
  const ratio = ratioOf(r);
  return ratio >= WORK_FACTOR / RATIO_SLACK && ratio <= WORK_FACTOR * RATIO_SLACK;
}

/** The run whose ratio is nearest K (log scale), among those that counted. */
function best(runs: Run[]): Run | undefined {
  const off = (r: Run): number => Math.abs(Math.log(ratioOf(r) / WORK_FACTOR));
  return runs.filter((r) => r.small > 0 && r.large > 0).sort((x, y) => off(x) - off(y))[0];
}

/** Judge one counter; returns a problem or undefined, and fills measured. */
function judge(ctx: BehaviourContext, ev: OpenedEvent, key: string, measured: Record<string, number | string>, n: number): string | undefined {
  const runs: Run[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    const base = valueOf(measure(ctx, ev, { iterations: 0 }));
    const small = valueOf(measure(ctx, ev, { iterations: n }));
    const large = measure(ctx, ev, { iterations: WORK_FACTOR * n });
    runs.push({ base, small, large: valueOf(large), running: times(large).running });
    if (scales(runs[runs.length - 1]!)) break;
  }
  const chosen = best(runs) ?? runs[runs.length - 1]!;
  const ratio = ratioOf(chosen);
  measured[`${key}.base`] = chosen.base;
  measured[`${key}.5ms`] = chosen.small;
  measured[`${key}.25ms`] = chosen.large;
  measured[`${key}.ratio`] = Number(ratio.toFixed(3));
  measured[`${key}.runs`] = runs.length;
  measured[`${key}.iterations`] = n;
  const work = `${n} and ${WORK_FACTOR * n} loop iterations (~${SMALL_MS} and ~${SMALL_MS * WORK_FACTOR} ms)`;
  if (runs.every((r) => r.running === 0)) return `${key} never ran (time_running 0 after ${work})`;
  if (runs.every((r) => r.small === 0 && r.large === 0)) return `${key} counted 0 after ${work}, ${runs.length} times (a counter that counts zeros)`;
  if (scales(chosen)) return undefined;
  const all = runs.map((r) => `${r.base}/${r.small}/${r.large}`).join(', ');
  if (runs.every((r) => !(r.large > r.small))) return `${key} did not grow with work: ${all} (no work/small/large) for ${work}`;
  return `${key} does not scale with work: best ratio ${ratio.toFixed(2)} for ${WORK_FACTOR}× the work (accepted ${(WORK_FACTOR / RATIO_SLACK).toFixed(1)}..${WORK_FACTOR * RATIO_SLACK}; runs no-work/small/large ${all})`;
}

/**
 * The iteration count N for the small run. The calibration can be far off
 * when the JIT delivers its optimised loop only later (under emulation a
 * background compile takes long, so the loop speeds up mid-check): unless
 * the workload is exact, N grows 4× at a time until two runs in a row count at least
 * half the ~5 ms by task-clock. A run of 50 ms wall that counts less than
 * that also ends the growth (a clock that counts nothing must not make it
 * grow for ever), as do 10 runs.
 */
function sizeWork(ctx: BehaviourContext, clock: OpenedEvent): number {
  let n = ctx.iterationsFor(SMALL_MS);
  if (ctx.workload.exact) return n;
  let settled = 0;
  for (let i = 0; i < 10 && settled < 2; i++) {
    ctx.reset(clock);
    ctx.enable(clock);
    const { wallNs } = ctx.work({ iterations: n });
    ctx.disable(clock);
    const counted = valueOf(ctx.read(clock));
    if (counted >= (SMALL_MS * 1e6) / 2) settled += 1;
    else if (wallNs >= 10 * SMALL_MS * 1e6) break;
    else {
      settled = 0;
      n *= 4;
    }
  }
  return n;
}

const check: BehaviourCheck = {
  name: 'counter_counts',
  description: 'counters count: task-clock, and cycles and instructions where they open, grow with work',
  run(ctx): Verdict {
    const measured: Record<string, number | string> = {};
    const problems: string[] = [];
    const absent: string[] = [];
    const judged: string[] = [];
    let n: number | undefined;
    for (const [key, decl, hardware] of [['task_clock', TASK_CLOCK, false], ['cpu_cycles', CYCLES, true], ['instructions', INSTRUCTIONS, true]] as const) {
      const ev = hardware ? ctx.tryOpen(decl) : ctx.open(decl);
      if ('status' in ev) {
        measured[key] = `absent: ${ev.errnoName ?? ev.status}`;
        absent.push(`${key.replace('cpu_', '')} does not open here (${ev.errnoName ?? ev.status}): not checked`);
        continue;
      }
      judged.push(key.replace('cpu_', '').replace('_', '-'));
      n ??= sizeWork(ctx, ev);
      const problem = judge(ctx, ev, key, measured, n);
      if (problem) problems.push(problem);
    }
    if (problems.length > 0) return ctx.broken([...problems, ...absent].join('; '), measured);
    return { ...ctx.ok(measured), reason: [`${judged.join(', ')} grew with work`, ...absent].join('; ') };
  },
};

export default check;

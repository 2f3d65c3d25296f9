/**
 * Schedulability: a group of hardware events that opens must also run
 * (time_running > 0) — a pinned NMI watchdog or a virtual PMU can leave a
 * group that the kernel accepted at time_running 0 forever (PAPI). Grows the
 * group one event at a time; the value is the largest group that runs, which
 * the shim uses to split larger groups. Needs a hardware PMU.
 */
import type { BehaviourCheck, Verdict } from '../../src/probe/behaviour-types';
import type { OpenedEvent } from '../../src/probe/behaviour-types';
import { HW_GROUP_EVENTS, times } from './events';

/** Largest group tried: more counters than any current PMU has per CPU. */
export const MAX_GROUP = 12;

const check: BehaviourCheck = {
  name: 'schedulability',
  description: 'a hardware group the kernel accepts actually runs (largest recorded)',
  run(ctx): Verdict {
    let largestOpen = 0;
    let largestRuns = 0;
    let firstStuck = 0;
    let stopReason = '';
    for (let k = 1; k <= MAX_GROUP; k++) {
      const group: OpenedEvent[] = [];
      let leader: OpenedEvent | undefined;
      for (let i = 0; i < k; i++) {
        const decl = HW_GROUP_EVENTS[i % HW_GROUP_EVENTS.length]!;
        // The leader is read alone: its times are the group's, and a broken FORMAT_GROUP read (behaviour.group_read) does not hide them.
        const ev = leader ? ctx.tryOpen(decl, { group: leader }) : ctx.tryOpen(decl);
        if ('status' in ev) {
          // The first hardware event not opening at all means no PMU to judge: Skip with its reason.
          if (k === 1) return ev;
          stopReason = `a group of ${k} does not open (${ev.errnoName ?? ev.status})`;
          break;
        }
        group.push(ev);
        leader ??= ev;
      }
      if (group.length < k) break;
      largestOpen = k;
      ctx.reset(leader!, true);
      ctx.enable(leader!, true);
      ctx.work({ cpu_ms: 3 });
      ctx.disable(leader!, true);
      const r = ctx.read(leader!);
      if (times(r).running === 0) {
        firstStuck = k;
        stopReason = `a group of ${k} opens but never runs (time_running 0)`;
        break;
      }
      largestRuns = k;
    }
    const measured: Record<string, number | string> = { largestOpen, largestRuns };
    if (stopReason) measured.stop = stopReason;
    const claim = ctx.capabilities?.features['combo.group_schedulability']?.value;
    if (typeof claim === 'number') measured.claimed = claim;
    if (firstStuck > 0) return { ...ctx.broken(`${stopReason}; the largest group that runs has ${largestRuns} event(s)`, measured), value: largestRuns };
    if (typeof claim === 'number' && claim > largestRuns) {
      return { ...ctx.broken(`combo.group_schedulability claims ${claim} but only ${largestRuns} run together`, measured), value: largestRuns };
    }
    return ctx.ok(measured, largestRuns);
  },
};

export default check;

/**
 * Schedulability: a group of hardware events that opens must also run
 * (time_running > 0) — a pinned NMI watchdog or a virtual PMU can leave a
 * group that the kernel accepted at time_running 0 forever (PAPI). Grows a
 * group of ONE event that opens, repeated: cycles first (the value: the
 * largest group of cycles events that runs), then the first other generalised
 * event that opens (`measured.generalPurpose`: counters only some events may
 * use — x86 fixed counters, arm's cycle counter — take cycles but not it).
 * Mixing events would let those counters absorb members and overstate the
 * limit, and an event that does not exist here would stop the check at once.
 * A member refused at open (validate_group) ends the growth and says so; it
 * is never read as "does not run". Needs a hardware PMU.
 */
import type { BehaviourCheck, BehaviourCtx, EventDecl, OpenedEvent, Verdict } from '../../src/probe/behaviour-types';
import { CYCLES, times } from './events';

/** Largest group tried: more counters than any current PMU has per CPU. */
export const MAX_GROUP = 12;

/** Events for the general-purpose class, tried in order (none has an x86 fixed counter or arm's cycle counter). */
export const GENERAL_PURPOSE: readonly EventDecl[] = [
  'branch_instructions', 'branch_misses', 'cache_references', 'cache_misses', 'stalled_cycles_frontend', 'stalled_cycles_backend', 'bus_cycles',
].map((config) => ({ type: 'hardware', config }));

interface Grown { opened: number; runs: number; stuck: boolean; stop: string; first?: Verdict }

/** The largest group of `decl` repeated that runs, and why the next size does not. */
function grow(ctx: BehaviourCtx, decl: EventDecl): Grown {
  const label = String(decl.config).replace(/_/g, '-');
  let runs = 0;
  for (let k = 1; k <= MAX_GROUP; k++) {
    const group: OpenedEvent[] = [];
    let leader: OpenedEvent | undefined;
    for (let i = 0; i < k; i++) {
      // The leader is read alone: its times are the group's, and a broken FORMAT_GROUP read (behaviour.group_read) does not hide them.
      // Opened enabled, the leader too: validate_group then counts every member (arm_pmu's validate_event skips an
      // OFF event, so under a disabled leader a group one too large would open and never run).
      const ev = leader ? ctx.tryOpen(decl, { group: leader, disabled: false }) : ctx.tryOpen(decl, { disabled: false });
      if ('status' in ev) {
        const why = ev.errnoName ?? ev.status;
        if (k === 1) return { opened: 0, runs: 0, stuck: false, stop: `${label} does not open here (${why})`, first: ev };
        return { opened: k - 1, runs, stuck: false, stop: `a group of ${k} ${label} events is refused at open (${why} on member ${i + 1})` };
      }
      group.push(ev);
      leader ??= ev;
    }
    // The leader ran alone before its members joined: only time_running gained by the whole group counts.
    ctx.disable(leader!, true);
    const before = times(ctx.read(leader!)).running;
    ctx.reset(leader!, true);
    ctx.enable(leader!, true);
    ctx.work({ cpu_ms: 3 });
    ctx.disable(leader!, true);
    if (times(ctx.read(leader!)).running - before <= 0) {
      return { opened: k, runs, stuck: true, stop: `a group of ${k} ${label} events opens but never runs (time_running 0)` };
    }
    runs = k;
  }
  return { opened: MAX_GROUP, runs, stuck: false, stop: `groups of up to ${MAX_GROUP} ${label} events ran (the largest tried)` };
}

const check: BehaviourCheck = {
  name: 'schedulability',
  description: 'a hardware group the kernel accepts actually runs (largest group of cycles events recorded, and of a general-purpose event)',
  run(ctx): Verdict {
    const cycles = grow(ctx, CYCLES);
    // The first hardware event not opening at all means no PMU to judge: Skip with its reason.
    if (cycles.first) return cycles.first;
    const measured: Record<string, number | string> = { largestOpen: cycles.opened, largestRuns: cycles.runs, stop: cycles.stop };
    let gp: (Grown & { name: string }) | undefined;
    for (const decl of GENERAL_PURPOSE) {
      const g = grow(ctx, decl);
      if (g.first) continue;
      gp = { ...g, name: String(decl.config).replace(/_/g, '-') };
      break;
    }
    if (gp) {
      measured.generalPurpose = Math.min(gp.runs, cycles.runs);
      measured.generalPurposeEvent = gp.name;
      measured.generalPurposeStop = gp.stop;
    }
    const claim = ctx.capabilities?.features['combo.group_schedulability']?.value;
    if (typeof claim === 'number') measured.claimed = claim;
    const stuck = [cycles, ...(gp ? [gp] : [])].find((g) => g.stuck);
    if (stuck) return { ...ctx.broken(`${stuck.stop}; the largest group of cycles events that runs has ${cycles.runs}`, measured), value: cycles.runs };
    if (typeof claim === 'number' && claim > cycles.runs) {
      return { ...ctx.broken(`combo.group_schedulability claims ${claim} but only ${cycles.runs} cycles events run together`, measured), value: cycles.runs };
    }
    return ctx.ok(measured, cycles.runs);
  },
};

export default check;

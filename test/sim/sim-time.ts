/**
 * Simulated time: work(ns) advances the clock, enabled events gain
 * time_enabled, those their PMU schedules gain time_running and counts
 * (multiplexed groups a share of it), sampling events write samples into
 * their rings (sim-ring.ts) and REFRESH limits stop them; control pages are
 * brought up to date (perf_event_update_userpage). Scheduling puts groups on
 * counters as sim-counters.ts does, once per rotation tick where the persona
 * has one; with rotationKernelShare, an event that excludes the kernel loses
 * that share of its count while its PMU rotates (the rotation's own kernel
 * time). With a real clock, the wall time between calls counts as work.
 */
import { corePmus } from './persona';
import { SimEvent, groupOf, rateOf } from './sim-event';
import { scheduleOn, userIndexOf } from './sim-counters';
import { updateControlPage, writeSamples } from './sim-ring';
import type { SimState } from './sim-state';

/** With a real clock, let the wall time since the last call count as work. */
export function syncClock(s: SimState): void {
  if (s.persona.clock !== 'real') return;
  const now = process.hrtime.bigint();
  const ns = Number(now - s.lastSync);
  s.lastSync = now;
  if (ns > 0) advance(s, ns);
}

/** Advance simulated time by `ns` of work, one rotation per tick where the persona rotates on a tick. */
export function advance(s: SimState, ns: number): void {
  const tick = s.persona.quirks.rotationTickNs;
  if (tick === undefined || !(tick > 0)) return advanceWith(s, ns, schedule(s));
  // One rotation per tick: each stretch of time up to the next tick runs the groups that pass puts on.
  for (let left = ns; left > 0;) {
    const stretch = Math.min(left, tick - (s.clockNs % tick));
    advanceWith(s, stretch, schedule(s, Math.floor(s.clockNs / tick)));
    left -= stretch;
  }
}

function advanceWith(s: SimState, ns: number, share: Map<SimEvent, number>): void {
  // PMUs that rotate now: a flexible group of theirs is off for some of this stretch.
  const rotating = new Set([...share].filter(([g, f]) => f < 1 && g.attr.pinned !== 1).map(([g]) => g.pmu));
  const kernelShare = s.persona.quirks.rotationKernelShare ?? 0;
  for (const ev of s.events.values()) {
    const on = ev.enabled && ev.leader.enabled;
    if (!on) continue;
    const f = share.get(ev.leader) ?? 1;
    let part = 1;
    let delta = rateOf(ev, corePmus(s.persona).find((c) => c.name === ev.pmu)?.neverCounts) * ns * f;
    // The rotation's kernel time: counted by task-clock, left out by an event that excludes the kernel.
    if (kernelShare > 0 && ev.attr.exclude_kernel === 1 && rotating.has(ev.pmu)) delta *= 1 - kernelShare;
    const limit = ev.refreshLimit ?? 0;
    if (limit > 0 && ev.samplePeriod > 0n && delta > 0 && !s.persona.quirks.refreshIgnored) {
      // REFRESH n: the n-th overflow still writes its sample, then the kernel disables the event.
      const period = Number(ev.samplePeriod);
      const overflows = Math.floor((ev.sinceSample + delta) / period);
      if (overflows >= limit) {
        const needed = limit * period - ev.sinceSample;
        part = needed / delta;
        delta = needed;
        ev.refreshLimit = 0;
        ev.enabled = false;
      } else {
        ev.refreshLimit = limit - overflows;
      }
    }
    ev.timeEnabled += ns * part;
    ev.timeRunning += ns * f * part;
    ev.count += delta;
    if (ev.samplePeriod > 0n && delta > 0) writeSamples(s.self, ev, delta, s.clockNs + ns * part, honouredPrecise(s, ev));
  }
  s.clockNs += ns;
  for (const ev of s.events.values()) if (ev.ring) updateControlPage(ev);
}

/** The highest precise_ip whose samples the event's PMU makes precise (0 off a core PMU). */
function honouredPrecise(s: SimState, ev: SimEvent): number {
  const core = corePmus(s.persona).find((c) => c.name === ev.pmu);
  return core ? (core.honouredPrecise ?? core.maxPrecise) : 0;
}

/**
 * The share of time each enabled group runs on its PMU (sim-counters.ts:
 * pinned first, flexible in rotation, events on the counters their class
 * allows); an NMI watchdog holds a general counter of the main core PMU.
 * Events that may be read from user space learn their counter index.
 */
function schedule(s: SimState, pass?: number): Map<SimEvent, number> {
  const share = new Map<SimEvent, number>();
  corePmus(s.persona).forEach((core, i) => {
    const members = (g: SimEvent): SimEvent[] => groupOf(g).filter((e) => e.pmu === core.name && e.enabled);
    const groups = [...s.events.values()].filter((e) => e.leader === e && e.enabled && members(e).length > 0);
    const r = scheduleOn(core, s.persona.nmiWatchdog && i === 0 ? 1 : 0, groups, members, pass);
    for (const [g, v] of r.share) share.set(g, v);
    for (const ev of s.events.values()) {
      if (ev.pmu !== core.name || !ev.userRead) continue;
      const slot = r.slots.get(ev);
      ev.userIndex = slot && s.persona.perfUserAccess === 1 ? userIndexOf(core, slot) : 0;
    }
  });
  return share;
}

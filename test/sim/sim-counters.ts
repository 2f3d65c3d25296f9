/**
 * The counters of a simulated core PMU and how events are put on them, for
 * validate_group at open and for scheduling at run time. A PMU has general
 * counters any event may use and, optionally, dedicated ones only some events
 * may use (arm's cycle counter, x86's fixed counters); those events take a
 * dedicated counter first and a general one when it is taken. On a PMU whose
 * general counters are 32 bits wide, an event that asks for 64 bits takes an
 * even/odd pair of them (arm's chained counters). This follows
 * armv8pmu_get_event_idx / armv8pmu_get_single_idx / armv8pmu_get_chain_idx
 * in drivers/perf/arm_pmuv3.c; a PMU without dedicated counters or wide
 * events behaves as a plain count of counters.
 *
 * Scheduling follows kernel/events/core.c: pinned groups first (one that does
 * not fit goes into error state), then the flexible groups in list order until
 * the first that does not fit (merge_sched_in clears can_add_hw: no later
 * hardware group goes on in that pass), and perf_rotate_context moves the
 * first flexible group to the end at every tick; the share of time a group
 * runs is the fraction of rotations in which it is on.
 */
import type { PersonaPmu } from './persona';
import type { SimEvent } from './sim-event';

/** Where an event sits: a dedicated counter of class `cls`, or general counter(s) from `index`. */
export type Slot = { dedicated: number } | { general: number; pair: boolean };

/** A free/used map of one PMU's counters (the kernel's used_mask). */
export class CounterMap {
  private readonly general: boolean[];
  private readonly dedicated: number[];

  constructor(readonly pmu: PersonaPmu, reservedGeneral = 0) {
    const classes = pmu.dedicated ?? [];
    this.dedicated = classes.map((c) => c.counters);
    const nGeneral = pmu.counters - classes.reduce((s, c) => s + c.counters, 0);
    this.general = Array.from({ length: Math.max(0, nGeneral) }, (_, i) => i < reservedGeneral);
  }

  clone(): CounterMap {
    const c = new CounterMap(this.pmu);
    c.general.splice(0, c.general.length, ...this.general);
    c.dedicated.splice(0, c.dedicated.length, ...this.dedicated);
    return c;
  }

  /** armv8pmu_get_event_idx: a dedicated counter first, else a chained pair or a single general counter; null when none is free. */
  take(ev: SimEvent): Slot | null {
    const classes = this.pmu.dedicated ?? [];
    const cls = classes.findIndex((c) => c.events.includes(ev.eventName));
    const wide = isWide(this.pmu, ev);
    if (cls >= 0) {
      if (this.dedicated[cls]! > 0) {
        this.dedicated[cls]!--;
        return { dedicated: cls };
      }
      // A 64-bit user-readable cycles event cannot be chained: only the cycle counter would do.
      if (wide && ev.userRead && this.pmu.wide?.chained) return null;
    }
    if (wide && !ev.userRead && this.pmu.wide?.chained) {
      // armv8pmu_get_chain_idx: an odd counter with the even one below it.
      for (let i = 1; i < this.general.length; i += 2) {
        if (!this.general[i] && !this.general[i - 1]) {
          this.general[i] = true;
          this.general[i - 1] = true;
          return { general: i, pair: true };
        }
      }
      return null;
    }
    const i = this.general.indexOf(false);
    if (i < 0) return null;
    this.general[i] = true;
    return { general: i, pair: false };
  }

  /** Put every event on a counter, or none (the map is unchanged when one does not fit). */
  takeAll(evs: readonly SimEvent[]): Slot[] | null {
    const trial = this.clone();
    const slots: Slot[] = [];
    for (const e of evs) {
      const s = trial.take(e);
      if (!s) return null;
      slots.push(s);
    }
    this.general.splice(0, this.general.length, ...trial.general);
    this.dedicated.splice(0, this.dedicated.length, ...trial.dedicated);
    return slots;
  }
}

/** config1's "long" bit asks for a 64-bit counter (arm_pmuv3's format/long). */
export function isWide(pmu: PersonaPmu, ev: SimEvent): boolean {
  if (!pmu.wide) return false;
  return ((BigInt(ev.attr.config1 ?? 0) >> BigInt(pmu.wide.config1Bit)) & 1n) === 1n;
}

/** The index a user-readable event shows in its control page (armv8pmu_user_event_idx): 0 when it is not on a counter. */
export function userIndexOf(pmu: PersonaPmu, slot: Slot): number {
  if ('dedicated' in slot) return pmu.dedicated?.[slot.dedicated]?.userIndex ?? 0;
  return slot.general + 1;
}

/**
 * The share of time each enabled group of one core PMU runs, and where its
 * events sit in the current pass. `members(g)` are the group's enabled events
 * on this PMU. With `pass`, only that rotation (counted from the list's
 * order) is scheduled: a group's share is 1 when that pass puts it on, else 0.
 */
export function scheduleOn(
  pmu: PersonaPmu, reservedGeneral: number, groups: readonly SimEvent[], members: (g: SimEvent) => SimEvent[], pass?: number,
): { share: Map<SimEvent, number>; slots: Map<SimEvent, Slot> } {
  const share = new Map<SimEvent, number>();
  const slots = new Map<SimEvent, Slot>();
  const base = new CounterMap(pmu, reservedGeneral);
  for (const g of groups.filter((x) => x.attr.pinned === 1)) {
    const got = base.takeAll(members(g));
    if (got) {
      share.set(g, 1);
      members(g).forEach((e, i) => slots.set(e, got[i]!));
    } else {
      g.errorState = true;
      share.set(g, 0);
    }
  }
  const flexible = groups.filter((x) => x.attr.pinned !== 1);
  const on = new Map<SimEvent, number>(flexible.map((g) => [g, 0]));
  const first = pass === undefined ? 0 : pass % Math.max(1, flexible.length);
  const passes = pass === undefined ? flexible.length : Math.min(1, flexible.length);
  for (let r = first; r < first + passes; r++) {
    const counters = base.clone();
    for (let k = 0; k < flexible.length; k++) {
      const g = flexible[(r + k) % flexible.length]!;
      const got = counters.takeAll(members(g));
      if (!got) break;
      on.set(g, on.get(g)! + 1);
      if (r === first) members(g).forEach((e, i) => slots.set(e, got[i]!));
    }
  }
  for (const g of flexible) share.set(g, on.get(g)! / passes);
  return { share, slots };
}

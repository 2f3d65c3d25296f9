/**
 * One row per requested event, in the order asked: its count (scaled), the
 * time it was enabled and on the PMU, whether it counted, was not counted
 * (enabled but never on the PMU) or is not supported here (refused at open),
 * and, over -r runs, every run's count. Pure.
 */
import type { EventValue } from '../../shim';
import type { RefusedEvent } from '../../shim/command-types';

export type { RefusedEvent };

export type RowState = 'counted' | 'not counted' | 'not supported';

export interface StatRow {
  /** The name printed (the stand-in's own name where one counts). */
  event: string;
  state: RowState;
  /** Mean scaled count over the runs. */
  count: number;
  /** Each run's scaled count (one entry without -r). */
  runs: number[];
  timeEnabled: number;
  timeRunning: number;
  multiplexed: boolean;
  standInFor?: string;
  unit?: string;
  /** Why it is not supported (the open's error, one line). */
  reason?: string;
}

/** Rows of one reading: `values` are the opened events in order, `refused` slot in at their index. */
export function rowsOf(requested: readonly string[], values: readonly EventValue[], refused: readonly RefusedEvent[]): StatRow[] {
  const rows: StatRow[] = [];
  let v = 0;
  for (let i = 0; i < requested.length; i++) {
    const r = refused.find((x) => x.index === i);
    if (r !== undefined) {
      const reason = r.error.message.startsWith(`${r.event}: `) ? r.error.message.slice(r.event.length + 2) : r.error.message;
      rows.push({ event: r.event, state: 'not supported', count: 0, runs: [], timeEnabled: 0, timeRunning: 0, multiplexed: false, reason });
      continue;
    }
    const e = values[v++];
    if (e === undefined) continue;
    const row: StatRow = {
      event: e.name, state: e.counted && e.timeRunning > 0n ? 'counted' : 'not counted',
      count: Number(e.scaled), runs: [Number(e.scaled)], timeEnabled: Number(e.timeEnabled), timeRunning: Number(e.timeRunning), multiplexed: e.multiplexed,
    };
    if (e.substitutedFrom !== undefined) row.standInFor = e.substitutedFrom;
    if (e.unit !== undefined) row.unit = e.unit;
    rows.push(row);
  }
  return rows;
}

/** Per-thread or per-CPU readings of the same events, summed (perf's aggregate). */
export function sumValues(sets: readonly (readonly EventValue[])[]): EventValue[] {
  const first = sets[0];
  if (first === undefined) return [];
  return first.map((e, i) => {
    let value = 0n; let enabled = 0n; let running = 0n; let scaled = 0n; let multiplexed = false;
    for (const s of sets) {
      const x = s[i]!;
      value += x.value; enabled += x.timeEnabled; running += x.timeRunning; scaled += x.scaled; multiplexed ||= x.multiplexed;
    }
    const counted = running > 0n || enabled === 0n;
    return { ...e, value, timeEnabled: enabled, timeRunning: running, scaled, multiplexed, counted };
  });
}

/** The change between two readings of the same events (interval prints). */
export function deltaValues(now: readonly EventValue[], before: readonly EventValue[] | undefined): EventValue[] {
  if (before === undefined) return [...now];
  return now.map((e, i) => {
    const b = before[i]!;
    const enabled = e.timeEnabled - b.timeEnabled;
    const running = e.timeRunning - b.timeRunning;
    const scaled = e.scaled - b.scaled;
    // An interval in which the event never ran is <not counted>, as perf prints it.
    return { ...e, value: e.value - b.value, timeEnabled: enabled, timeRunning: running, scaled, multiplexed: running > 0n && running < enabled, counted: running > 0n };
  });
}

/** Rows of -r runs merged: counts averaged, every run kept; an event refused in one run is refused. */
export function mergeRuns(runs: readonly StatRow[][]): StatRow[] {
  const first = runs[0] ?? [];
  return first.map((r, i) => {
    const all = runs.map((rs) => rs[i]!);
    if (all.some((x) => x.state === 'not supported')) return all.find((x) => x.state === 'not supported')!;
    const counts = all.map((x) => x.count);
    const state = all.every((x) => x.state === 'not counted') ? 'not counted' : 'counted';
    return {
      ...r, state, runs: counts, count: counts.reduce((a, b) => a + b, 0) / counts.length,
      timeEnabled: all.reduce((a, x) => a + x.timeEnabled, 0) / all.length,
      timeRunning: all.reduce((a, x) => a + x.timeRunning, 0) / all.length,
      multiplexed: all.some((x) => x.multiplexed),
    };
  });
}

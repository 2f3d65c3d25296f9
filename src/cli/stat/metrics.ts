/**
 * perf stat's derived metrics, from the rows counted together: "CPUs
 * utilized" for task-clock/cpu-clock (time on CPU over elapsed time), a rate
 * per second of task-clock for the other events ("K/sec"), GHz for cycles,
 * insn per cycle for instructions and "% of all branches" for branch-misses
 * where the events they need were counted (stand-ins never count as them). Pure.
 */
import type { StatRow } from './rows';

export interface Metric {
  value: number;
  unit: string;
}

const TIME = /^(task|cpu)-clock(:[ukhGHpPSDIW]+)?$/;

/** A row whose count is nanoseconds (printed as msec). */
export function isTimeRow(r: Pick<StatRow, 'event' | 'unit'>): boolean {
  return r.unit === 'ns' || TIME.test(r.event);
}

function base(name: string): string {
  return name.replace(/:[a-zA-Z]+$/, '');
}

function real(rows: readonly StatRow[], name: string): StatRow | undefined {
  return rows.find((r) => r.state === 'counted' && r.standInFor === undefined && base(r.event) === name);
}

/** perf's rate: the count per second of task-clock (cpu-clock), scaled to K, M or G. */
export function rateMetric(count: number, clockNs: number): Metric {
  const perSec = (count * 1e9) / clockNs;
  for (const [limit, prefix] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'K']] as const) {
    if (perSec >= limit) return { value: perSec / limit, unit: `${prefix}/sec` };
  }
  return { value: perSec, unit: '/sec' };
}

export function metricFor(r: StatRow, rows: readonly StatRow[], elapsedNs: number): Metric | undefined {
  if (r.state !== 'counted' || r.standInFor !== undefined) return undefined;
  if (TIME.test(r.event)) return elapsedNs > 0 ? { value: r.count / elapsedNs, unit: 'CPUs utilized' } : undefined;
  const clock = real(rows, 'task-clock') ?? real(rows, 'cpu-clock');
  const name = base(r.event);
  if (name === 'cycles' || name === 'cpu-cycles') return clock && clock.count > 0 ? { value: r.count / clock.count, unit: 'GHz' } : undefined;
  if (name === 'instructions') {
    const cycles = real(rows, 'cycles') ?? real(rows, 'cpu-cycles');
    if (cycles && cycles.count > 0) return { value: r.count / cycles.count, unit: 'insn per cycle' };
  }
  if (name === 'branch-misses') {
    const branches = real(rows, 'branches') ?? real(rows, 'branch-instructions');
    if (branches && branches.count > 0) return { value: (100 * r.count) / branches.count, unit: 'of all branches' };
  }
  return clock && clock.count > 0 ? rateMetric(r.count, clock.count) : undefined;
}

/** perf's counter text: msec with 2 decimals for time rows, the integer count otherwise. */
export function counterValueText(r: StatRow): string {
  if (r.state === 'not supported') return '<not supported>';
  if (r.state === 'not counted') return '<not counted>';
  return isTimeRow(r) ? (r.count / 1e6).toFixed(2) : Math.round(r.count).toString();
}

/** Percentage of the enabled time the event was on the PMU (100 when it never shared it). */
export function pctRunning(r: StatRow): number {
  return r.timeEnabled > 0 ? (100 * r.timeRunning) / r.timeEnabled : r.state === 'counted' ? 100 : 0;
}

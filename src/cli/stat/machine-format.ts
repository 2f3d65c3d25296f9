/**
 * perf stat's machine-readable outputs. -x SEP: one line per event,
 * "value SEP unit SEP event SEP run-time-ns SEP pct-running SEP metric SEP
 * metric-unit" (the metric fields empty where there is none). --json (perf
 * stat -j): one JSON object per event and line, perf's keys, "variance" over
 * -r runs and "interval" under -I, plus "stand-in-for" where a stand-in
 * counted (schema/stat.schema.json). Pure.
 */
import { counterValueText, isTimeRow, metricFor, pctRunning } from './metrics';
import type { StatRow } from './rows';
import { relativePct, stddevOfMean } from './stats';

export function csvLines(rows: readonly StatRow[], elapsedNs: number, sep: string, intervalSec?: number): string[] {
  return rows.map((r) => {
    const m = metricFor(r, rows, elapsedNs);
    const fields = [
      counterValueText(r), isTimeRow(r) ? 'msec' : '', r.event, Math.round(r.timeRunning).toString(), pctRunning(r).toFixed(2),
      m !== undefined ? m.value.toFixed(3) : '', m !== undefined ? (m.unit.startsWith('of all') ? `% ${m.unit}` : m.unit) : '',
    ];
    if (r.runs.length > 1) fields.splice(3, 0, `${relativePct(stddevOfMean(r.runs), r.count).toFixed(2)}%`);
    return (intervalSec !== undefined ? [intervalSec.toFixed(9), ...fields] : fields).join(sep);
  });
}

export interface StatJsonLine {
  interval?: number;
  'counter-value': string;
  unit: string;
  event: string;
  variance?: number;
  'event-runtime': number;
  'pcnt-running': number;
  'metric-value': number;
  'metric-unit': string;
  'stand-in-for'?: string;
}

export function jsonObjects(rows: readonly StatRow[], elapsedNs: number, intervalSec?: number): StatJsonLine[] {
  return rows.map((r) => {
    const m = metricFor(r, rows, elapsedNs);
    const o: StatJsonLine = {
      ...(intervalSec !== undefined ? { interval: intervalSec } : {}),
      'counter-value': r.state === 'counted' ? (isTimeRow(r) ? r.count / 1e6 : r.count).toFixed(6) : counterValueText(r),
      unit: isTimeRow(r) ? 'msec' : '',
      event: r.event,
      ...(r.runs.length > 1 ? { variance: Number(relativePct(stddevOfMean(r.runs), r.count).toFixed(2)) } : {}),
      'event-runtime': Math.round(r.timeRunning),
      'pcnt-running': Number(pctRunning(r).toFixed(2)),
      'metric-value': m !== undefined ? Number(m.value.toFixed(6)) : 0,
      'metric-unit': m !== undefined ? m.unit : '',
    };
    if (r.standInFor !== undefined) o['stand-in-for'] = r.standInFor;
    return o;
  });
}

export function jsonLines(rows: readonly StatRow[], elapsedNs: number, intervalSec?: number): string[] {
  return jsonObjects(rows, elapsedNs, intervalSec).map((o) => JSON.stringify(o));
}

/**
 * The `probe stat` report in perf stat's layout: a header naming the target
 * (never cut), one line per event — count (msec for clocks), unit, event,
 * "# metric" (CPUs utilized, K/sec …), "( +- x% )" over -r runs, the share
 * on the PMU where it was multiplexed — stand-ins named with what is
 * missing, then elapsed (± stddev), user and sys seconds, group splits and
 * every adaptation with its reason. Pure.
 */
import type { Environment } from '../model/capability-map';
import type { Adaptation } from '../shim';
import type { Palette } from './color';
import { counterValueText, isTimeRow, metricFor, type Metric } from './stat/metrics';
import { missingText } from './stat/missing-text';
import type { StatRow } from './stat/rows';
import { footerPrecision, mean, noiseText, relativePct, stddevOfMean } from './stat/stats';
import { padStart, visibleLength, wrapWords } from './text';

export interface StatReport {
  /** What was counted: "'sleep 1'", "process id '42'", "'system wide'". */
  target: string;
  rows: StatRow[];
  /** Elapsed nanoseconds of each run. */
  elapsedNs: number[];
  /** Seconds of user and system time of the command (one run only). */
  cpu?: { user: number; sys: number };
  splits: string[];
  adaptations: (Adaptation & { event: string })[];
  environment?: Pick<Environment, 'pmus'>;
}

export interface StatFormatOptions {
  palette: Palette;
  width: number;
}

/** perf's header target for a command: its argv, words with spaces left as they are. */
export function commandTarget(argv: readonly string[]): string {
  return `'${argv.join(' ')}'`;
}

export function metricText(m: Metric | undefined): string {
  if (m === undefined) return '';
  if (m.unit.startsWith('of all')) return `# ${m.value.toFixed(2).padStart(7)}% ${m.unit}`;
  return `# ${m.value.toFixed(3).padStart(8)} ${m.unit}`;
}

/** The note of a stand-in: what it stands in for and what is missing here. */
export function standInText(r: StatRow, env: StatReport['environment']): string {
  return r.standInFor === undefined ? '' : `stand-in for ${r.standInFor} (${missingText(r.standInFor, env)})`;
}

/** One event line (without the interval time column): the head, and trailing parts that may go on a line of their own. */
export function eventLine(r: StatRow, rows: readonly StatRow[], elapsedNs: number, env: StatReport['environment'], p: Palette, nameWidth = 24): { head: string; notes: string[] } {
  const unit = isTimeRow(r) ? 'msec' : '';
  const count = counterValueText(r);
  const metric = metricText(metricFor(r, rows, elapsedNs));
  const noise = r.state === 'counted' ? noiseText(r.runs) : '';
  const share = r.multiplexed && r.timeEnabled > 0 ? `(${((100 * r.timeRunning) / r.timeEnabled).toFixed(2)}%)` : '';
  const head = `${padStart(count, 18)} ${unit.padEnd(4)} ${r.event.padEnd(nameWidth)} ${metric}`.trimEnd();
  const notes = [[noise, share].filter((x) => x !== '').join(' '), p.dim(standInText(r, env))].filter((x) => visibleLength(x) > 0);
  return { head, notes };
}

/** The head and its notes on one line where they fit the width, else the notes on lines of their own. */
function fit(head: string, notes: string[], width: number): string[] {
  const lines = [head];
  for (const n of notes) {
    const last = lines[lines.length - 1]!;
    if (visibleLength(`${last}  ${n}`) <= width) lines[lines.length - 1] = `${last}  ${n}`;
    else lines.push(`${' '.repeat(24)}${n}`);
  }
  return lines;
}

function nameWidthOf(rows: readonly StatRow[]): number {
  return Math.min(24, Math.max(10, ...rows.map((r) => r.event.length)));
}

export function footerLines(elapsedNs: readonly number[], cpu: StatReport['cpu']): string[] {
  const secs = elapsedNs.map((n) => n / 1e9);
  if (secs.length > 1) {
    const avg = mean(secs);
    const sd = stddevOfMean(secs);
    const prec = footerPrecision(sd);
    const pct = relativePct(sd, avg);
    return [` ${avg.toFixed(prec).padStart(17)} +- ${sd.toFixed(prec)} seconds time elapsed  ( +- ${pct.toFixed(2).padStart(5)}% )`];
  }
  const lines = [` ${(secs[0] ?? 0).toFixed(9).padStart(17)} seconds time elapsed`];
  if (cpu !== undefined) lines.push('', ` ${cpu.user.toFixed(9).padStart(17)} seconds user`, ` ${cpu.sys.toFixed(9).padStart(17)} seconds sys`);
  return lines;
}

/** The adaptations, stand-ins worded by the one rule of what is missing here. */
function adaptationText(a: StatReport['adaptations'][number], rows: readonly StatRow[], env: StatReport['environment']): string {
  const evidence = [a.featureId, a.errnoName].filter((x) => x !== undefined).join(' ');
  const standIn = rows.find((r) => r.event === a.event && r.standInFor !== undefined && a.featureId?.startsWith('event.hardware.') === true);
  const why = standIn !== undefined ? `${missingText(standIn.standInFor!, env)}; ${a.why.split('; ').slice(1).join('; ') || a.why}` : a.why;
  return `${a.event}: ${a.what} — ${why}${evidence !== '' ? ` [${evidence}]` : ''}`;
}

export function formatStat(s: StatReport, o: StatFormatOptions): string[] {
  const p = o.palette;
  const runs = s.elapsedNs.length;
  const lines = ['', ` Performance counter stats for ${s.target}${runs > 1 ? ` (${runs} runs)` : ''}:`, ''];
  const elapsed = mean(s.elapsedNs);
  for (const r of s.rows) {
    const { head, notes } = eventLine(r, s.rows, elapsed, s.environment, p, nameWidthOf(s.rows));
    lines.push(...fit(head, notes, o.width));
  }
  lines.push('', ...footerLines(s.elapsedNs, s.cpu), '');
  if (s.splits.length > 0) {
    lines.push(p.bold(' Groups:'));
    for (const x of s.splits) lines.push(...wrapWords(x, o.width - 3, o.width - 5).map((l, i) => (i === 0 ? `   ${l}` : `     ${l}`)));
    lines.push('');
  }
  if (s.adaptations.length > 0) {
    lines.push(p.bold(' Adaptations (what the shim changed, and why):'));
    for (const a of s.adaptations) {
      lines.push(...wrapWords(adaptationText(a, s.rows, s.environment), o.width - 3, o.width - 5).map((l, i) => (i === 0 ? `   ${p.yellow(l)}` : `     ${l}`)));
    }
    lines.push('');
  }
  const refused = s.rows.filter((r) => r.state === 'not supported');
  if (refused.length > 0) {
    lines.push(p.bold(' Not supported here:'));
    for (const r of refused) lines.push(...wrapWords(`${r.event}: ${r.reason ?? ''}`, o.width - 3, o.width - 5).map((l, i) => (i === 0 ? `   ${l}` : `     ${l}`)));
    lines.push('');
  }
  if (s.rows.some((r) => r.state === 'not counted')) lines.push(p.dim(' <not counted>: enabled but never on the PMU (time_running 0)'), '');
  return lines;
}

/** perf -I: "#           time             counts unit events" then each line behind its time. */
export const INTERVAL_HEADER = '#           time             counts unit events';

export function intervalLines(atSec: number, rows: readonly StatRow[], intervalNs: number, env: StatReport['environment'], p: Palette): string[] {
  return rows.map((r) => {
    const { head, notes } = eventLine(r, rows, intervalNs, env, p, nameWidthOf(rows));
    return `${atSec.toFixed(9).padStart(16)} ${head}${notes.length > 0 ? `  ${notes.join('  ')}` : ''}`;
  });
}

/**
 * The `probe stat` report, perf stat's layout: one line per event with its
 * (scaled) count, the multiplex scale factor where the event shared the PMU,
 * stand-ins named on their line, then every adaptation with its reason. Pure.
 */
import type { CommandCounts } from '../shim/for-command';
import type { Palette } from './color';
import { groupDigits, padStart, truncate, wrapWords } from './text';

export interface StatFormatOptions {
  elapsedNs: bigint;
  palette: Palette;
  width: number;
}

type Value = CommandCounts['values'][number];

function isTime(v: Value): boolean {
  return v.unit === 'ns' || /^(task|cpu)-clock$/.test(v.name);
}

export function countText(v: Value): string {
  if (!v.counted) return '<not counted>';
  if (isTime(v)) return `${(Number(v.scaled) / 1e6).toFixed(2)} msec`;
  return groupDigits(v.scaled);
}

/** "scaled ×1.53 (on the PMU 65.4%)" for a multiplexed event; '' otherwise. */
export function scaleText(v: Value): string {
  if (!v.multiplexed || v.timeRunning === 0n) return '';
  const ratio = Number(v.timeEnabled) / Number(v.timeRunning);
  const pct = (Number(v.timeRunning) * 100) / Number(v.timeEnabled);
  return `scaled ×${ratio.toFixed(2)} (on the PMU ${pct.toFixed(1)}%)`;
}

function quoteArgv(argv: string[]): string {
  // Inside the report's own single quotes: plain words bare, others in double quotes where that is exact.
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : /["$`\\]/.test(a) ? `'${a.replace(/'/g, "'\\''")}'` : `"${a}"`)).join(' ');
}

export function formatStat(c: CommandCounts, o: StatFormatOptions): string[] {
  const p = o.palette;
  const lines = ['', truncate(` Performance counter stats for '${quoteArgv(c.argv)}':`, o.width), ''];
  const nameWidth = Math.min(24, Math.max(8, ...c.values.map((v) => v.name.length)));
  for (const v of c.values) {
    const count = countText(v);
    const [num, unit] = count.endsWith(' msec') ? [count.slice(0, -5), 'msec'] : [count, ''];
    const notes: string[] = [];
    if (v.substitutedFrom !== undefined) notes.push(`stand-in for ${v.substitutedFrom}`);
    const scale = scaleText(v);
    if (scale !== '') notes.push(scale);
    const head = `${padStart(num, 18)} ${unit.padEnd(5)} ${v.name.padEnd(nameWidth)}`;
    const room = o.width - head.length - 2;
    const note = notes.join('; ');
    lines.push(note !== '' && room > 8 ? `${head}  ${p.dim(truncate(note, room))}` : head.trimEnd());
  }
  lines.push('', `${padStart((Number(o.elapsedNs) / 1e9).toFixed(6), 18)} seconds time elapsed`, '');
  if (c.splits.length > 0) {
    lines.push(p.bold(' Groups:'));
    for (const s of c.splits) lines.push(...wrapWords(s, o.width - 3, o.width - 5).map((l, i) => (i === 0 ? `   ${l}` : `     ${l}`)));
    lines.push('');
  }
  if (c.adaptations.length > 0) {
    lines.push(p.bold(' Adaptations (what the shim changed, and why):'));
    for (const a of c.adaptations) {
      const evidence = [a.featureId, a.errnoName].filter((x) => x !== undefined).join(' ');
      const text = `${a.event}: ${a.what} — ${a.why}${evidence !== '' ? ` [${evidence}]` : ''}`;
      lines.push(...wrapWords(text, o.width - 3, o.width - 5).map((l, i) => (i === 0 ? `   ${p.yellow(l)}` : `     ${l}`)));
    }
    lines.push('');
  }
  if (c.values.some((v) => !v.counted)) lines.push(p.dim(truncate(' <not counted>: enabled but never on the PMU (time_running 0)', o.width)), '');
  return lines;
}

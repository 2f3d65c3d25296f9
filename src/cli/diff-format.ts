/**
 * Text and JSON renderings of a MapDiff. Pure.
 */
import type { FeatureEntry } from '../model/capability-map';
import { colorStatus, type Palette } from './color';
import { diffIsEmpty, type FeatureChange, type MapDiff } from '../model/map-diff';
import { shortReason } from './report-format';
import { fitLines, padEnd, truncate, visibleLength } from './text';

function state(p: Palette, e: FeatureEntry | undefined): string {
  if (e === undefined) return p.dim('absent');
  const errno = e.errnoName ?? (e.errno !== undefined ? `errno ${e.errno}` : '');
  const value = e.value !== undefined ? ` =${String(e.value)}` : '';
  return colorStatus(p, e.status) + (errno !== '' ? ` ${errno}` : '') + value;
}

function section(p: Palette, title: string, changes: FeatureChange[], width: number, cut: boolean): string[] {
  if (changes.length === 0) return [];
  const nameWidth = Math.min(36, Math.max(...changes.map((c) => c.id.length)));
  const lines = [p.bold(`${title} (${changes.length})`)];
  for (const c of changes) {
    const states = `${state(p, c.from)} → ${state(p, c.to)}`;
    let line = `  ${padEnd(truncate(c.id, nameWidth), nameWidth)}  ${states}`;
    if (visibleLength(line) > width) {
      // Too long for one line: the id alone, the transition below it.
      lines.push(`  ${truncate(c.id, width - 2)}`);
      line = `      ${states}`;
    }
    const reason = c.to !== undefined && c.to.status !== 'supported' && c.to.reason !== undefined ? shortReason(c.to.reason, c.to.status) : undefined;
    const room = width - visibleLength(line) - 2;
    if (reason === undefined) lines.push(line);
    else if (cut ? room >= Math.min(30, visibleLength(reason)) : room >= visibleLength(reason)) lines.push(`${line}  ${p.dim(truncate(reason, room))}`);
    // A pipe or file gets the whole reason, on lines of its own.
    else if (!cut) lines.push(line, ...fitLines(reason, width - 6, false).map((l) => `      ${p.dim(l)}`));
    else lines.push(line);
  }
  lines.push('');
  return lines;
}

/** `cut` false (a pipe or file): reasons too long for their line wrap instead of being cut or left out. */
export function formatDiff(d: MapDiff, p: Palette, width: number, cut = true): string[] {
  const lines = [truncate(`A: ${d.a.release} (${d.a.machine})  →  B: ${d.b.release} (${d.b.machine})`, width), ''];
  if (diffIsEmpty(d)) {
    lines.push('no differences');
    return lines;
  }
  lines.push(...section(p, p.red('lost'), d.lost, width, cut));
  lines.push(...section(p, p.yellow('now denied'), d.nowDenied, width, cut));
  lines.push(...section(p, p.green('gained'), d.gained, width, cut));
  lines.push(...section(p, 'status changed', d.statusChanged, width, cut));
  lines.push(...section(p, 'errno changed', d.errnoChanged, width, cut));
  lines.push(...section(p, 'value changed', d.valueChanged, width, cut));
  if (d.pmusAdded.length > 0) lines.push(truncate(`PMUs added: ${d.pmusAdded.join(' ')}`, width));
  if (d.pmusRemoved.length > 0) lines.push(truncate(`PMUs removed: ${d.pmusRemoved.join(' ')}`, width));
  if (d.pmusAdded.length + d.pmusRemoved.length > 0) lines.push('');
  const summary = [
    `${d.lost.length} lost`, `${d.nowDenied.length} now denied`, `${d.gained.length} gained`,
    `${d.statusChanged.length + d.errnoChanged.length + d.valueChanged.length} changed`,
  ].join(' · ');
  lines.push(d.hasLoss ? p.red(`${summary}: B lost features A had`) : `${summary}: nothing lost`);
  return lines;
}

/** The machine-readable diff: ids with their status/errno/value on each side. */
export function diffToJson(d: MapDiff): unknown {
  const brief = (e: FeatureEntry | undefined): unknown => (e === undefined ? null : {
    status: e.status,
    ...(e.errno !== undefined ? { errno: e.errno } : {}),
    ...(e.errnoName !== undefined ? { errnoName: e.errnoName } : {}),
    ...(e.value !== undefined ? { value: e.value } : {}),
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
  });
  const list = (cs: FeatureChange[]): unknown[] => cs.map((c) => ({ id: c.id, a: brief(c.from), b: brief(c.to) }));
  return {
    schema: 'perfcompat/capabilities-diff@1',
    a: d.a,
    b: d.b,
    hasLoss: d.hasLoss,
    lost: list(d.lost),
    nowDenied: list(d.nowDenied),
    gained: list(d.gained),
    statusChanged: list(d.statusChanged),
    errnoChanged: list(d.errnoChanged),
    valueChanged: list(d.valueChanged),
    pmusAdded: d.pmusAdded,
    pmusRemoved: d.pmusRemoved,
  };
}

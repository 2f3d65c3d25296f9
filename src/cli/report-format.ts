/**
 * The readable `probe` report of a CapabilityMap: a header about this box, the
 * features grouped by kind with status, errno and a short reason, and a summary
 * line. Pure: map in, lines out; every line fits `width` columns.
 */
import { ERRNO_MEANING } from '../abi/errno';
import { FEATURE_STATUSES } from '../model/capability-map';
import type { CapabilityMap, Environment, FeatureEntry, FeatureStatus } from '../model/capability-map';
import { colorStatus, type Palette } from './color';
import { groupByKind, kindTitle } from './feature-groups';
import { fitLines, padEnd, truncate, visibleLength, wrapWords } from './text';

export interface ReportOptions {
  /** List every feature, not only what matters. */
  all: boolean;
  /** Only these ids (already filtered by --only); undefined = all in the map. */
  ids?: string[];
  width: number;
  /** Cut over-long reasons with "…" (default); false wraps them (output to a pipe or file). */
  cut?: boolean;
  palette: Palette;
  /** perfcompat version shown in the header. */
  version: string;
}

/** Same status and errno repeated more than this many times in a kind is collapsed to one line. */
const COLLAPSE_AT = 4;
const STATUS_WIDTH = 12;
const ERRNO_WIDTH = 11;
const NAME_MAX = 30;

export function formatReport(map: CapabilityMap, opts: ReportOptions): string[] {
  const ids = opts.ids ?? Object.keys(map.features);
  const lines = [...formatHeader(map, opts), ''];
  let hidden = 0;
  for (const { kind, ids: kindIds } of groupByKind(ids)) {
    const section = formatKind(kind, kindIds, map.features, opts);
    hidden += section.hidden;
    lines.push(...section.lines);
  }
  lines.push(...formatSummary(map, ids, opts));
  if (!opts.all && hidden > 0) {
    lines.push(...wrapWords(`${hidden} supported features not shown; --all lists every feature, probe explain <id> says why.`, opts.width).map((l) => opts.palette.dim(l)));
  }
  return lines;
}

function label(p: Palette, s: string): string {
  return p.bold(padEnd(s, 10));
}

/** Lay out words after a 10-column label, wrapping under the label. */
function labelled(p: Palette, name: string, items: string[], width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const item of items) {
    const candidate = line === '' ? item : `${line}  ${item}`;
    if (line !== '' && 10 + visibleLength(candidate) > width) {
      out.push(line);
      line = item;
    } else line = candidate;
  }
  out.push(line);
  return out.map((l, i) => (i === 0 ? label(p, name) : ' '.repeat(10)) + truncate(l, width - 10));
}

export function describeAccess(env: Environment): string[] {
  const caps = env.capabilities;
  const held = [caps.perfmon && 'CAP_PERFMON', caps.sysAdmin && 'CAP_SYS_ADMIN', caps.bpf && 'CAP_BPF'].filter((c): c is string => typeof c === 'string');
  return [
    `uid ${env.euid}`,
    `paranoid ${env.paranoid === null ? 'unreadable' : env.paranoid}`,
    held.length > 0 ? held.join(' ') : 'no perf capabilities',
    describeSeccomp(env),
  ];
}

export function describeSeccomp(env: Environment): string {
  const { mode, filters } = env.seccomp;
  if (mode === null) return 'seccomp unknown';
  if (mode === 0) return 'seccomp off';
  if (mode === 1) return 'seccomp strict';
  return filters !== null ? `seccomp filter (${filters})` : 'seccomp filter';
}

export function formatHeader(map: CapabilityMap, opts: ReportOptions): string[] {
  const p = opts.palette;
  const env = map.environment;
  const lines = [p.bold(truncate(`perfcompat ${opts.version} · what perf_event_open can do here`, opts.width))];
  lines.push(...labelled(p, 'kernel', [map.kernel.release, map.kernel.machine || env.arch], opts.width));
  lines.push(...labelled(p, 'access', describeAccess(env), opts.width));
  const pmus = env.pmus.map((x) => `${x.name}(${x.type})`);
  lines.push(...labelled(p, 'PMUs', pmus.length > 0 ? pmus : ['none found'], opts.width));
  if (env.container.length > 0) lines.push(...labelled(p, 'runs in', env.container, opts.width));
  return lines;
}

function shortName(id: string, kind: string): string {
  return id.startsWith(`${kind}.`) ? id.slice(kind.length + 1) : id;
}

/** The part after the status: value, anomaly, reason. Plain text. */
function detail(entry: FeatureEntry, kind: string): string {
  const parts: string[] = [];
  if (entry.value !== undefined) parts.push(`${kind === 'pmu' ? 'type' : 'value'} ${String(entry.value)}`);
  if (entry.anomaly === 'backported') parts.push(`backported (mainline ${entry.mainline ?? '?'})`);
  if (entry.anomaly === 'missing') parts.push(`missing (mainline ${entry.mainline ?? '?'})`);
  if (entry.status !== 'supported') {
    const why = entry.reason !== undefined ? shortReason(entry.reason, entry.status) : entry.errnoName !== undefined ? ERRNO_MEANING[entry.errnoName] : undefined;
    if (why !== undefined) parts.push(why);
  }
  return parts.join('; ');
}

/**
 * The engine's reasons say what happened, then after "; " what the feature
 * needs. The report shows one clause: what it needs when the machine lacks
 * something (no-hardware, untestable), else what happened (denied, refused).
 */
export function shortReason(reason: string, status: FeatureStatus): string {
  const clauses = reason.split('; ').filter((c) => c !== '');
  if (clauses.length <= 1) return reason;
  if (status === 'no-hardware' || status === 'untestable') return clauses[clauses.length - 1] as string;
  return clauses[0] as string;
}

function matters(entry: FeatureEntry): boolean {
  return entry.status !== 'supported' || entry.anomaly !== undefined || entry.value !== undefined;
}

function formatKind(kind: string, ids: string[], features: Record<string, FeatureEntry>, opts: ReportOptions): { lines: string[]; hidden: number } {
  const p = opts.palette;
  const entries = ids.map((id) => ({ id, name: shortName(id, kind), e: features[id] as FeatureEntry }));
  const counts = countStatuses(entries.map((x) => x.e));
  const countText = FEATURE_STATUSES.filter((s) => counts[s] > 0).map((s) => colorStatus(p, s, `${counts[s]} ${s}`)).join(' · ');
  const long = `${kind}.*  ${kindTitle(kind)}`;
  const title = visibleLength(long) + 2 + visibleLength(countText) <= opts.width ? long : `${kind}.*`;
  const head = `${p.bold(title)}  ${countText}`;
  const lines = [visibleLength(head) <= opts.width ? head : p.bold(truncate(title, opts.width))];
  if (visibleLength(head) > opts.width) lines.push(`  ${countText}`);

  const shown = opts.all ? entries : entries.filter((x) => matters(x.e));
  const hidden = entries.length - shown.length;
  const nameWidth = Math.min(NAME_MAX, Math.max(4, ...shown.map((x) => x.name.length)));

  // Collapse long runs of the same (status, errno) in the default view.
  const buckets = new Map<string, typeof shown>();
  for (const x of shown) {
    const key = `${x.e.status}/${x.e.errnoName ?? ''}`;
    const b = buckets.get(key);
    if (b) b.push(x);
    else buckets.set(key, [x]);
  }
  const collapsed = new Set<string>();
  for (const x of shown) {
    const key = `${x.e.status}/${x.e.errnoName ?? ''}`;
    const bucket = buckets.get(key) as typeof shown;
    const plain = bucket.every((b) => b.e.anomaly === undefined && b.e.value === undefined);
    if (!opts.all && x.e.status !== 'supported' && plain && bucket.length > COLLAPSE_AT) {
      if (collapsed.has(key)) continue;
      collapsed.add(key);
      const what = `${bucket.length} × ${x.e.status}${x.e.errnoName ? ` ${x.e.errnoName}` : ''}: `;
      const names = bucket.map((b) => b.name).join(' ');
      const wrapped = wrapWords(names, opts.width - 2 - what.length, opts.width - 4);
      // On a terminal two lines and "…"; in a file every name.
      const cut = opts.cut !== false;
      const shownLines = cut ? wrapped.slice(0, 2) : wrapped;
      if (cut && wrapped.length > 2) shownLines[1] = truncate(`${shownLines[1]} …`, opts.width - 4);
      lines.push(`  ${colorStatus(p, x.e.status, what)}${shownLines[0]}`);
      for (const more of shownLines.slice(1)) lines.push(`    ${more}`);
      continue;
    }
    lines.push(...formatEntry(x.name, x.e, nameWidth, opts, kind));
  }
  lines.push('');
  return { lines, hidden };
}

export function formatEntry(name: string, e: FeatureEntry, nameWidth: number, opts: ReportOptions, kind = ''): string[] {
  const p = opts.palette;
  const lead = `  ${padEnd(truncate(name, nameWidth), nameWidth)}  `;
  const status = padEnd(colorStatus(p, e.status), STATUS_WIDTH);
  const errno = e.errnoName ?? '';
  const errnoCol = errno !== '' || e.status !== 'supported' ? padEnd(errno, ERRNO_WIDTH) : '';
  const used = visibleLength(lead) + STATUS_WIDTH + visibleLength(errnoCol);
  const rest = detail(e, kind);
  const room = opts.width - used;
  const line = `${lead}${status}${errnoCol}`;
  if (rest === '') return [line.trimEnd()];
  if (visibleLength(rest) <= room) return [`${line}${p.dim(rest)}`];
  // Too long for the line: on its own line below, indented.
  return [line.trimEnd(), ...fitLines(rest, opts.width - 4, opts.cut !== false).map((l) => p.dim(`    ${l}`))];
}

export function countStatuses(entries: FeatureEntry[]): Record<FeatureStatus, number> {
  const counts = Object.fromEntries(FEATURE_STATUSES.map((s) => [s, 0])) as Record<FeatureStatus, number>;
  for (const e of entries) if (e.status in counts) counts[e.status] += 1;
  return counts;
}

export function formatSummary(map: CapabilityMap, ids: string[], opts: ReportOptions): string[] {
  const p = opts.palette;
  const counts = countStatuses(ids.map((id) => map.features[id] as FeatureEntry));
  const parts = FEATURE_STATUSES.filter((s) => s === 'supported' || counts[s] > 0).map((s) => colorStatus(p, s, `${counts[s]} ${s}`));
  const total = Object.keys(map.features).length;
  if (ids.length !== total) parts.push(`${ids.length} of ${total} features shown`);
  const ms = Math.round(map.durationMs);
  parts.push(map.source === 'cache'
    ? `from cache (probed ${map.createdAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')} in ${ms} ms)`
    : `probed in ${ms} ms, not from cache`);
  // Join with " · ", wrapping whole parts.
  const out: string[] = [];
  let line = '';
  for (const part of parts) {
    const candidate = line === '' ? part : `${line} · ${part}`;
    if (line !== '' && visibleLength(candidate) > opts.width) {
      out.push(line);
      line = part;
    } else line = candidate;
  }
  out.push(line);
  return out;
}

/**
 * How feature ids are grouped for display (by kind, in ABI order) and how
 * `--only <kind or glob>` selects them. Pure.
 */
import { globMatch, hasGlob } from '../events/glob';

/** Display order of kinds; kinds not listed follow alphabetically. */
const KIND_ORDER = [
  'attr', 'read_format', 'sample_type', 'branch_sample_type', 'open_flags', 'ioctl', 'mmap',
  'access', 'event.software', 'event.hardware', 'event.hw_cache', 'event', 'pmu', 'combo', 'behaviour',
];

const KIND_TITLES: Record<string, string> = {
  attr: 'perf_event_attr flags and fields',
  read_format: 'read_format bits',
  sample_type: 'sample_type bits',
  branch_sample_type: 'branch_sample_type bits',
  open_flags: 'perf_event_open flags',
  ioctl: 'ioctls',
  mmap: 'ring buffer and control page',
  access: 'access for this caller',
  'event.software': 'software events',
  'event.hardware': 'generic hardware events',
  'event.hw_cache': 'hardware cache events',
  event: 'other event types',
  pmu: 'PMUs',
  combo: 'combinations',
  behaviour: 'behaviour checks',
};

/** The kind a feature id belongs to: its first segment, or event.<type> for events. */
export function kindOf(id: string): string {
  const parts = id.split('.');
  if (parts[0] === 'event' && parts.length >= 3) return `event.${parts[1]}`;
  return parts[0] ?? id;
}

export function kindTitle(kind: string): string {
  return KIND_TITLES[kind] ?? kind;
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

/** Group ids by kind, kinds in display order, ids in their given order within a kind. */
export function groupByKind(ids: readonly string[]): Array<{ kind: string; ids: string[] }> {
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    const k = kindOf(id);
    const list = groups.get(k);
    if (list) list.push(id);
    else groups.set(k, [id]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => kindRank(a) - kindRank(b) || a.localeCompare(b))
    .map(([kind, list]) => ({ kind, ids: list }));
}

/**
 * A predicate for `--only`: comma-separated kinds ("read_format", "event.hardware")
 * or globs over the whole id ("read_format.*", "*.lost").
 */
export function onlyMatcher(spec: string): (id: string) => boolean {
  const tests = spec.split(',').map((s) => s.trim()).filter((s) => s !== '').map((p) => {
    if (hasGlob(p)) return (id: string) => globMatch(p, id);
    return (id: string) => id === p || id.startsWith(`${p}.`);
  });
  return (id) => tests.some((t) => t(id));
}

/**
 * The text of `probe explain <id>`: what the feature is, mainline version,
 * this kernel's answer with errno, what the probe set and needed first, any
 * anomaly, and the code path the shim takes. Pure.
 */
import { ERRNO_MEANING } from '../abi/errno';
import type { CapabilityMap, FeatureEntry } from '../model/capability-map';
import { colorStatus, type Palette } from './color';
import { describeFeature, featureMainline } from './feature-text';
import { padEnd, wrapWords } from './text';

export interface ExplainInput {
  id: string;
  map: CapabilityMap;
  /** The shim's one-line code path for this feature here (shimPathFor), if it has one. */
  shimPath?: string;
  palette: Palette;
  width: number;
}

function row(p: Palette, name: string, text: string, width: number): string[] {
  const wrapped = wrapWords(text, width - 12, width - 12);
  return wrapped.map((l, i) => (i === 0 ? `  ${p.bold(padEnd(name, 10))}` : ' '.repeat(12)) + l);
}

function formatSet(set: Record<string, number | string>): string {
  return Object.entries(set).map(([k, v]) => `${k}=${typeof v === 'number' && v > 9 ? `0x${v.toString(16)}` : String(v)}`).join(' ');
}

export function answerText(e: FeatureEntry): string {
  const parts: string[] = [e.status];
  if (e.errnoName !== undefined || e.errno !== undefined) parts.push(e.errnoName !== undefined ? `${e.errnoName}${e.errno !== undefined ? ` (errno ${e.errno})` : ''}` : `errno ${e.errno}`);
  if (e.value !== undefined) parts.push(`value ${String(e.value)}`);
  let text = parts.join(' ');
  const why = e.reason ?? (e.errnoName !== undefined ? ERRNO_MEANING[e.errnoName] : undefined);
  if (why !== undefined) text += ` — ${why}`;
  if (e.inferredFrom !== undefined) text += ` (inferred from ${e.inferredFrom})`;
  return text;
}

export function anomalyText(e: FeatureEntry, release: string, mainline?: string): string {
  const ml = e.mainline ?? mainline;
  if (e.anomaly === 'backported') return `backported: works on ${release} although mainline added it in ${ml ?? 'a later release'}`;
  if (e.anomaly === 'missing') return `missing: refused on ${release} although mainline has had it since ${ml ?? 'an earlier release'}`;
  return 'none (the answer agrees with the kernel version)';
}

export function formatExplain(input: ExplainInput): string[] {
  const { id, map, palette: p, width } = input;
  const e = map.features[id];
  const what = describeFeature(id);
  const lines = wrapWords(`${id} — ${what ?? 'no description: no declaration has this id'}`, width).map((l, i) => (i === 0 ? p.bold(l) : l));
  const mainline = e?.mainline ?? featureMainline(id);
  lines.push(...row(p, 'mainline', mainline !== undefined ? `${mainline} (an annotation; this kernel's own answer decides)` : 'not a mainline ABI item', width));
  if (e === undefined) {
    lines.push(...row(p, 'here', `not probed on ${map.kernel.release} (the map has no entry)`, width));
  } else {
    const [first, ...rest] = row(p, 'here', `${map.kernel.release}: ${answerText(e)}`, width);
    // Colour the status word only.
    lines.push((first ?? '').replace(e.status, colorStatus(p, e.status)), ...rest);
    const probe: string[] = [];
    if (e.base !== undefined) probe.push(`base ${e.base}`);
    if (e.set !== undefined && Object.keys(e.set).length > 0) probe.push(`set ${formatSet(e.set)}`);
    lines.push(...row(p, 'probe', probe.length > 0 ? probe.join('; ') : 'no probe details recorded', width));
    lines.push(...row(p, 'needs', e.needs !== undefined && e.needs.length > 0 ? e.needs.join(', ') : 'nothing first', width));
    lines.push(...row(p, 'anomaly', anomalyText(e, map.kernel.release, mainline), width));
    if (e.measured !== undefined) lines.push(...row(p, 'measured', Object.entries(e.measured).map(([k, v]) => `${k}=${String(v)}`).join(' '), width));
  }
  lines.push(...row(p, 'shim', input.shimPath ?? 'no feature-specific code path in the shim', width));
  return lines;
}

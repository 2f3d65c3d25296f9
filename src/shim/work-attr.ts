/**
 * The working attr the plan steps change: canonical field names, flag bits by
 * name (0/1), masks (sample_type, read_format, branch_sample_type) as bigint —
 * and the helpers that test, set and name its bits. Pure.
 */
import { ATTR_FLAGS, AUX_ACTION_FLAGS, fieldByName } from '../abi/attr-layout';
import { BRANCH_SAMPLE_TYPE, CLOCK_IDS, READ_FORMAT, SAMPLE_TYPE } from '../abi/constants';
import type { AttrBits } from './fallbacks';

/** A working attr: canonical field names; flag bits by name; masks as bigint. */
export type WorkAttr = Record<string, number | bigint>;

export const FLAG_NAMES = new Set([...ATTR_FLAGS, ...AUX_ACTION_FLAGS].map((f) => f.name));
export const MASK_FIELDS: Record<string, readonly { name: string; bit: number }[]> = {
  sample_type: SAMPLE_TYPE, read_format: READ_FORMAT, branch_sample_type: BRANCH_SAMPLE_TYPE,
};
export const MASK_OF_KIND = { sampleType: 'sample_type', readFormat: 'read_format', branch: 'branch_sample_type' } as const;
const FEATURE_PREFIX_OF_MASK: Record<string, string> = {
  sample_type: 'sample_type', read_format: 'read_format', branch_sample_type: 'branch_sample_type',
};

export function bitOf(maskField: string, name: string): bigint {
  const b = MASK_FIELDS[maskField]!.find((x) => x.name === name);
  if (!b) throw new Error(`fallback table names unknown ${maskField} bit ${name}`);
  return 1n << BigInt(b.bit);
}

export function asBig(v: number | bigint | undefined): bigint {
  return v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(v);
}

/** Does the attr set any (mode 'any') or all (mode 'all') of these bits? No bits: 'all' holds, 'any' does not. */
export function hasBits(a: WorkAttr, bits: AttrBits | undefined, mode: 'any' | 'all'): boolean {
  if (!bits) return mode === 'all';
  const tests: boolean[] = [];
  for (const f of bits.flags ?? []) tests.push(asBig(a[f]) !== 0n);
  for (const f of bits.fields ?? []) tests.push(asBig(a[f]) !== 0n);
  for (const kind of ['sampleType', 'readFormat', 'branch'] as const) {
    const field = MASK_OF_KIND[kind];
    for (const n of bits[kind] ?? []) tests.push((asBig(a[field]) & bitOf(field, n)) !== 0n);
  }
  if (bits.clock !== undefined) {
    const c = CLOCK_IDS.find((x) => x.name === bits.clock)!;
    tests.push(asBig(a.use_clockid) !== 0n && Number(a.clockid ?? 0) === c.value);
  }
  return mode === 'any' ? tests.some(Boolean) : tests.every(Boolean);
}

/** "exclude_guest, sample_type.weight, clockid tai": the bits, as messages name them. */
export function describeBits(bits: AttrBits | undefined): string {
  if (!bits) return '';
  const parts: string[] = [...(bits.flags ?? []), ...(bits.fields ?? [])];
  for (const kind of ['sampleType', 'readFormat', 'branch'] as const) {
    for (const n of bits[kind] ?? []) parts.push(`${MASK_OF_KIND[kind]}.${n}`);
  }
  if (bits.clock) parts.push(`clockid ${bits.clock}`);
  return parts.join(', ');
}

/** The requested ABI features of an attr, as feature ids (fields of the first attr version are not features). */
export function requestedFeatures(a: WorkAttr): string[] {
  const ids: string[] = [];
  for (const [k, v] of Object.entries(a)) {
    if (asBig(v) === 0n) continue;
    if (FLAG_NAMES.has(k)) { ids.push(`attr.${k}`); continue; }
    const prefix = FEATURE_PREFIX_OF_MASK[k];
    if (prefix) {
      for (const b of MASK_FIELDS[k]!) if ((asBig(v) >> BigInt(b.bit)) & 1n) ids.push(`${prefix}.${b.name}`);
      continue;
    }
    const f = fieldByName(k);
    if (f && f.mainline !== '2.6.31') ids.push(`attr.${f.name}`);
  }
  return ids;
}

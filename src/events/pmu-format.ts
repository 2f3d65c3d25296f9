/**
 * sysfs format/ specs ("config:0-7,32-35", "config1:0-15", "config:21") and
 * placing a term's value into the attr config words they describe. Pure.
 * A value's bits go, lowest first, into the spec's bits in ascending order.
 */
import { fieldByName } from '../abi/attr-layout';

export interface FormatSpec {
  /** The attr field: config, config1, config2, config3 or config4. */
  field: string;
  /** Bit positions in the field, ascending, no duplicates. */
  bits: number[];
}

const SPEC = /^(config[1-4]?):([0-9]+(?:-[0-9]+)?(?:,[0-9]+(?:-[0-9]+)?)*)$/;

/** Parse a format file; returns a reason string when it cannot be parsed. */
export function parseFormatSpec(text: string): FormatSpec | string {
  const m = SPEC.exec(text.trim());
  if (!m) return `"${text.slice(0, 60)}" is not a format spec like config:0-7 or config1:0-15,32-35`;
  const field = m[1]!;
  if (!fieldByName(field)) return `${field} is not a perf_event_attr field`;
  const set = new Set<number>();
  for (const range of m[2]!.split(',')) {
    const [a, b] = range.split('-').map(Number) as [number, number | undefined];
    const hi = b ?? a;
    if (a > 63 || hi > 63 || a > hi) return `bit range ${range} is not within 0-63 ascending`;
    for (let i = a; i <= hi; i++) set.add(i);
  }
  return { field, bits: [...set].sort((x, y) => x - y) };
}

/** Largest value the spec can hold. */
export function formatMax(spec: FormatSpec): bigint {
  return (1n << BigInt(spec.bits.length)) - 1n;
}

/** The spec written back as text, e.g. "config:0-7,32-35". */
export function formatSpecText(spec: FormatSpec): string {
  const parts: string[] = [];
  let i = 0;
  while (i < spec.bits.length) {
    let j = i;
    while (j + 1 < spec.bits.length && spec.bits[j + 1] === spec.bits[j]! + 1) j++;
    parts.push(i === j ? `${spec.bits[i]}` : `${spec.bits[i]}-${spec.bits[j]}`);
    i = j + 1;
  }
  return `${spec.field}:${parts.join(',')}`;
}

/**
 * Place `value` into `word` at the spec's bits (clearing those bits first).
 * The caller has checked value <= formatMax(spec).
 */
export function placeFormatValue(word: bigint, spec: FormatSpec, value: bigint): bigint {
  // Run by run of consecutive bits (a spec is usually one or two runs, config:0-63 included).
  const bits = spec.bits;
  let w = word;
  let i = 0;
  while (i < bits.length) {
    let j = i;
    while (j + 1 < bits.length && bits[j + 1] === bits[j]! + 1) j++;
    const mask = (1n << BigInt(j - i + 1)) - 1n;
    const at = BigInt(bits[i]!);
    w = (w & ~(mask << at)) | (((value >> BigInt(i)) & mask) << at);
    i = j + 1;
  }
  return w;
}

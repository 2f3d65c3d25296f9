/**
 * A small regex parser for a kernel's uapi include/linux/perf_event.h, and the
 * check of a capability map against it: what the header defines must never be
 * `unsupported`, what it lacks must never be `supported` — unless the map
 * itself flags the entry as an anomaly (backported / missing).
 */

export interface HeaderAbi {
  /** PERF_FORMAT_* → bit */
  readFormat: Map<string, number>;
  /** PERF_SAMPLE_* = 1U << n → n */
  sampleType: Map<string, number>;
  /** PERF_SAMPLE_BRANCH_*_SHIFT → n */
  branchSampleType: Map<string, number>;
  /** Bitfield members of struct perf_event_attr (flags word and aux_action word), reserved ones left out. */
  attrBits: Map<string, number>;
  /** Plain (non-bitfield) members of struct perf_event_attr, union members included. */
  attrFields: Set<string>;
  /** PERF_ATTR_SIZE_VERn → bytes */
  attrSizes: Map<string, number>;
}

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

/** Body of `enum name { ... }` or `struct name { ... }`, braces balanced. */
function block(src: string, head: RegExp): string | null {
  const m = head.exec(src);
  if (!m) return null;
  let i = src.indexOf('{', m.index);
  if (i < 0) return null;
  const start = i + 1;
  for (let depth = 0; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return src.slice(start, i);
  }
  return null;
}

const skipName = (n: string) => n.startsWith('__') || /(^|_)MAX$/.test(n);

export function parsePerfEventHeader(text: string): HeaderAbi {
  const src = stripComments(text);
  const readFormat = new Map<string, number>();
  const rf = block(src, /enum\s+perf_event_read_format\s*\{/) ?? '';
  for (const m of rf.matchAll(/\bPERF_FORMAT_(\w+)\s*=\s*1U?L{0,2}\s*<<\s*(\d+)/g)) if (!skipName(m[1]!)) readFormat.set(m[1]!, Number(m[2]));

  const sampleType = new Map<string, number>();
  const st = block(src, /enum\s+perf_event_sample_format\s*\{/) ?? '';
  for (const m of st.matchAll(/\bPERF_SAMPLE_(\w+)\s*=\s*1U?L{0,2}\s*<<\s*(\d+)/g)) if (!skipName(m[1]!)) sampleType.set(m[1]!, Number(m[2]));

  const branchSampleType = new Map<string, number>();
  const bs = block(src, /enum\s+perf_branch_sample_type_shift\s*\{/) ?? '';
  for (const m of bs.matchAll(/\bPERF_SAMPLE_BRANCH_(\w+)_SHIFT\s*=\s*(\d+)/g)) if (!skipName(m[1]!)) branchSampleType.set(m[1]!, Number(m[2]));

  const attrBits = new Map<string, number>();
  const attrFields = new Set<string>();
  const attr = block(src, /struct\s+perf_event_attr\s*\{/) ?? '';
  // Walk declarations: "__u64 a : 1, b : 1, ..." (bitfields; bit numbers restart with each declaration)
  // and "__u64 name;" (plain members, also inside unions).
  for (const decl of attr.split(';')) {
    const d = decl.replace(/\b(union|struct)\s*\{/g, ' ').replace(/[{}]/g, ' ').trim();
    const typed = /^(?:__[us](?:8|16|32|64))\s+([\s\S]*)$/.exec(d);
    if (!typed) continue;
    const rest = typed[1]!;
    if (rest.includes(':')) {
      let bit = 0;
      for (const part of rest.split(',')) {
        const m = /^\s*(\w+)\s*:\s*(\d+)\s*$/.exec(part);
        if (!m) continue;
        if (!skipName(m[1]!)) attrBits.set(m[1]!, bit);
        bit += Number(m[2]);
      }
    } else {
      for (const part of rest.split(',')) {
        const m = /^\s*(\w+)\s*(\[[^\]]*\])?\s*$/.exec(part);
        if (m && !m[1]!.startsWith('__')) attrFields.add(m[1]!);
      }
    }
  }

  const attrSizes = new Map<string, number>();
  for (const m of src.matchAll(/#define\s+PERF_ATTR_SIZE_(VER\d+)\s+(\d+)/g)) attrSizes.set(m[1]!, Number(m[2]));
  return { readFormat, sampleType, branchSampleType, attrBits, attrFields, attrSizes };
}

/** Feature id kinds the header can speak for. */
export type CheckedKind = 'read_format' | 'sample_type' | 'branch_sample_type' | 'attr.flag' | 'attr.aux_action' | 'attr.field';

/** The ids the header defines, by kind: uapi identifier lower-cased without its prefix. */
export function headerIds(h: HeaderAbi): Map<CheckedKind, Set<string>> {
  const lower = (prefix: string, names: Iterable<string>) => new Set([...names].map((n) => `${prefix}.${n.toLowerCase()}`));
  const bits = lower('attr', h.attrBits.keys());
  return new Map<CheckedKind, Set<string>>([
    ['read_format', lower('read_format', h.readFormat.keys())],
    ['sample_type', lower('sample_type', h.sampleType.keys())],
    ['branch_sample_type', lower('branch_sample_type', h.branchSampleType.keys())],
    ['attr.flag', bits],
    ['attr.aux_action', bits],
    ['attr.field', lower('attr', h.attrFields)],
  ]);
}

/** The largest attr size the header publishes (the kernel's sizeof(struct perf_event_attr)). */
export function headerAttrSize(h: HeaderAbi): number {
  return Math.max(0, ...h.attrSizes.values());
}

export interface FeatureLike { status: string; anomaly?: string; value?: unknown; errnoName?: string }
export interface MapLike { kernel?: { release?: string }; features: Record<string, FeatureLike> }

export interface CheckFinding {
  id: string;
  inHeader: boolean;
  status: string;
  anomaly?: string;
  detail: string;
}

export interface CheckResult {
  /** Disagreements the map did not explain: these fail the test. */
  violations: CheckFinding[];
  /** Disagreements the map flagged with an anomaly: listed, not failed. */
  anomalies: CheckFinding[];
  /** Header ids the map has no entry for (the catalogue may not cover everything yet). */
  missingInMap: string[];
  /** How many map entries were checked. */
  checked: number;
  /** attr.size: header's largest VER and the map's value. */
  attrSize: { header: number; map: number | null };
}

/**
 * Compare a map with a header. `kindOf` gives the kind of a feature id (from
 * the ABI catalogue); ids it does not know are not checked.
 */
export function checkMapAgainstHeader(map: MapLike, h: HeaderAbi, kindOf: (id: string) => string | undefined): CheckResult {
  const ids = headerIds(h);
  const res: CheckResult = { violations: [], anomalies: [], missingInMap: [], checked: 0, attrSize: { header: headerAttrSize(h), map: null } };
  for (const [id, f] of Object.entries(map.features)) {
    const kind = kindOf(id) as CheckedKind | 'attr.size' | undefined;
    if (kind === 'attr.size') {
      const v = typeof f.value === 'number' ? f.value : null;
      res.attrSize.map = v;
      if (v === null) continue;
      res.checked++;
      const hs = res.attrSize.header;
      if (v !== hs) {
        const finding: CheckFinding = { id, inHeader: true, status: f.status, detail: `map says ${v} bytes, header's largest PERF_ATTR_SIZE_VER is ${hs}` };
        if (f.anomaly) { finding.anomaly = f.anomaly; res.anomalies.push(finding); } else res.violations.push(finding);
      }
      continue;
    }
    const set = kind ? ids.get(kind as CheckedKind) : undefined;
    if (!set) continue;
    res.checked++;
    const inHeader = set.has(id);
    const bad = inHeader ? f.status === 'unsupported' : f.status === 'supported';
    if (!bad) continue;
    const finding: CheckFinding = {
      id, inHeader, status: f.status,
      detail: inHeader ? `header defines it, map says unsupported${f.errnoName ? ` (${f.errnoName})` : ''}` : 'header lacks it, map says supported',
    };
    if (f.anomaly) { finding.anomaly = f.anomaly; res.anomalies.push(finding); } else res.violations.push(finding);
  }
  for (const [kind, set] of ids) {
    if (kind === 'attr.aux_action') continue; // same set as attr.flag
    for (const id of set) if (!(id in map.features) && kindOf(id) !== undefined) res.missingInMap.push(id);
  }
  return res;
}

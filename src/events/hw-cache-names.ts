/**
 * Hardware cache events as perf spells them: <cache>[-<op>][-<result>], e.g.
 * L1-dcache-load-misses, LLC-loads, dTLB-store-misses, branch-load-misses.
 * Cache, op and result ids come from the ABI tables; the spellings and which
 * cache × op combinations are meaningful follow perf (case-insensitive).
 */
import { HW_CACHE_IDS, HW_CACHE_OPS, HW_CACHE_RESULTS, AbiValue, hwCacheConfig } from '../abi/constants';

interface Spelled {
  readonly canonical: string;
  readonly spellings: readonly string[];
  readonly abi: AbiValue;
}

function pick(table: readonly AbiValue[], name: string): AbiValue {
  const v = table.find((e) => e.name === name);
  if (!v) throw new Error(`hw-cache-names: ${name} is not in the ABI table`);
  return v;
}

export const CACHE_SPELLINGS: readonly (Spelled & { readonly ops: readonly string[]; readonly why: string })[] = [
  { canonical: 'L1-dcache', spellings: ['L1-dcache', 'l1-d', 'l1d', 'L1-data'], abi: pick(HW_CACHE_IDS, 'l1d'), ops: ['read', 'write', 'prefetch'], why: '' },
  { canonical: 'L1-icache', spellings: ['L1-icache', 'l1-i', 'l1i', 'L1-instruction'], abi: pick(HW_CACHE_IDS, 'l1i'), ops: ['read', 'prefetch'], why: 'the instruction cache is not written by stores' },
  { canonical: 'LLC', spellings: ['LLC', 'L2'], abi: pick(HW_CACHE_IDS, 'll'), ops: ['read', 'write', 'prefetch'], why: '' },
  { canonical: 'dTLB', spellings: ['dTLB', 'd-tlb', 'Data-TLB'], abi: pick(HW_CACHE_IDS, 'dtlb'), ops: ['read', 'write', 'prefetch'], why: '' },
  { canonical: 'iTLB', spellings: ['iTLB', 'i-tlb', 'Instruction-TLB'], abi: pick(HW_CACHE_IDS, 'itlb'), ops: ['read'], why: 'instruction TLB lookups are only loads (instruction fetches)' },
  { canonical: 'branch', spellings: ['branch', 'branches', 'bpu', 'btb', 'bpc'], abi: pick(HW_CACHE_IDS, 'bpu'), ops: ['read'], why: 'the branch predictor is only looked up (load)' },
  { canonical: 'node', spellings: ['node'], abi: pick(HW_CACHE_IDS, 'node'), ops: ['read', 'write', 'prefetch'], why: '' },
];

export const OP_SPELLINGS: readonly Spelled[] = [
  { canonical: 'load', spellings: ['load', 'loads', 'read'], abi: pick(HW_CACHE_OPS, 'read') },
  { canonical: 'store', spellings: ['store', 'stores', 'write'], abi: pick(HW_CACHE_OPS, 'write') },
  { canonical: 'prefetch', spellings: ['prefetch', 'prefetches', 'speculative-read', 'speculative-load'], abi: pick(HW_CACHE_OPS, 'prefetch') },
];

export const RESULT_SPELLINGS: readonly Spelled[] = [
  { canonical: 'refs', spellings: ['refs', 'Reference', 'ops', 'access'], abi: pick(HW_CACHE_RESULTS, 'access') },
  { canonical: 'misses', spellings: ['misses', 'miss'], abi: pick(HW_CACHE_RESULTS, 'miss') },
];

export interface HwCacheEvent {
  /** perf's canonical name, e.g. "L1-dcache-load-misses", "LLC-loads". */
  name: string;
  cache: AbiValue;
  op: AbiValue;
  result: AbiValue;
  config: bigint;
  /** Feature id of the capability map: event.hw_cache.<cache>.<op>.<result>. */
  featureId: string;
}

export type HwCacheParse =
  | { ok: true; event: HwCacheEvent }
  /** Recognised as a cache event but not a valid one. */
  | { ok: false; reason: string }
  /** Not a cache event name at all. */
  | undefined;

function canonicalName(cache: string, op: string, result: AbiValue): string {
  const plural = op === 'prefetch' ? 'prefetches' : `${op}s`;
  return result.name === 'miss' ? `${cache}-${op}-misses` : `${cache}-${plural}`;
}

export function hwCacheEvent(cacheIdx: number, opIdx: number, resultIdx: number): HwCacheEvent {
  const cache = CACHE_SPELLINGS[cacheIdx]!;
  const op = OP_SPELLINGS[opIdx]!;
  const result = RESULT_SPELLINGS[resultIdx]!;
  return {
    name: canonicalName(cache.canonical, op.canonical, result.abi),
    cache: cache.abi, op: op.abi, result: result.abi,
    config: hwCacheConfig(cache.abi.value, op.abi.value, result.abi.value),
    featureId: `event.hw_cache.${cache.abi.name}.${op.abi.name}.${result.abi.name}`,
  };
}

/** Longest spelling of `table` that `s` starts with at `at`, ending at '-' or the end. */
function matchAt(s: string, at: number, table: readonly Spelled[]): { index: number; end: number } | undefined {
  let best: { index: number; end: number } | undefined;
  table.forEach((entry, index) => {
    for (const sp of entry.spellings) {
      const l = sp.toLowerCase();
      const end = at + l.length;
      if (s.startsWith(l, at) && (end === s.length || s[end] === '-') && (!best || end > best.end)) best = { index, end };
    }
  });
  return best;
}

/** Parse a cache event name; undefined when it does not start with a cache name. */
export function parseHwCacheName(name: string): HwCacheParse {
  const s = name.toLowerCase();
  const cache = matchAt(s, 0, CACHE_SPELLINGS);
  if (!cache) return undefined;
  let op: number | undefined;
  let result: number | undefined;
  let at = cache.end;
  while (at < s.length) {
    at += 1; // the '-'
    const o = op === undefined ? matchAt(s, at, OP_SPELLINGS) : undefined;
    const r = result === undefined ? matchAt(s, at, RESULT_SPELLINGS) : undefined;
    const hit = o && (!r || o.end >= r.end) ? { kind: 'op' as const, m: o } : r ? { kind: 'result' as const, m: r } : undefined;
    if (!hit) {
      const part = name.slice(at).split('-')[0] ?? '';
      return {
        ok: false,
        reason: `"${part}" is not a cache op (${OP_SPELLINGS.map((x) => x.canonical).join(', ')}) or result (${RESULT_SPELLINGS.map((x) => x.canonical).join(', ')})` +
          (op !== undefined || result !== undefined ? ' or it repeats one' : ''),
      };
    }
    if (hit.kind === 'op') op = hit.m.index; else result = hit.m.index;
    at = hit.m.end;
  }
  const c = CACHE_SPELLINGS[cache.index]!;
  const opIdx = op ?? 0;
  const resIdx = result ?? 0;
  const opEntry = OP_SPELLINGS[opIdx]!;
  if (!c.ops.includes(opEntry.abi.name)) {
    const valid = OP_SPELLINGS.filter((x) => c.ops.includes(x.abi.name)).map((x) => x.canonical).join(', ');
    return { ok: false, reason: `${c.canonical} × ${opEntry.canonical} is meaningless (${c.why}); valid ops for ${c.canonical}: ${valid}` };
  }
  return { ok: true, event: hwCacheEvent(cache.index, opIdx, resIdx) };
}

/** Every meaningful cache event, in perf's order. */
export function allHwCacheEvents(): HwCacheEvent[] {
  const out: HwCacheEvent[] = [];
  CACHE_SPELLINGS.forEach((c, ci) => {
    OP_SPELLINGS.forEach((o, oi) => {
      if (!c.ops.includes(o.abi.name)) return;
      RESULT_SPELLINGS.forEach((_r, ri) => out.push(hwCacheEvent(ci, oi, ri)));
    });
  });
  return out;
}

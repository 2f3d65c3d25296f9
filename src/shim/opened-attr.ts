/**
 * openedAttr: the attr a PerfEvent reports, built from the plan's working attr
 * and size (what was encoded) instead of decoding the bytes just encoded. The
 * shape is decodeAttr's: every field the size holds, flag bits by name, u64
 * fields as bigint, the union members freq/sample_freq and
 * watermark/wakeup_watermark named as the flags select.
 */
import { ATTR_FIELDS, ATTR_FLAGS, AUX_ACTION_FLAGS, minSizeFor } from '../abi/attr-layout';
import type { DecodedAttr } from '../abi/attr-codec';
import type { WorkAttr } from './adapt';

export function openedAttr(attr: Readonly<WorkAttr>, size: number): DecodedAttr {
  const out: DecodedAttr = {};
  for (const f of ATTR_FIELDS) {
    if (minSizeFor(f) > size) continue;
    if (f.name === 'flags') {
      for (const flag of ATTR_FLAGS) out[flag.name] = Number(attr[flag.name] ?? 0);
      if (attr.__reserved_1 !== undefined && BigInt(attr.__reserved_1) !== 0n) out.__reserved_1 = BigInt(attr.__reserved_1);
      continue;
    }
    if (f.name === 'aux_action') {
      for (const flag of AUX_ACTION_FLAGS) out[flag.name] = Number(attr[flag.name] ?? 0);
      if (attr.__reserved_3 !== undefined && Number(attr.__reserved_3) !== 0) out.__reserved_3 = Number(attr.__reserved_3);
      continue;
    }
    const given = [f.name, ...(f.aliases ?? [])].map((n) => attr[n]).find((v) => v !== undefined);
    const raw = f.name === 'size' && given === undefined ? size : given ?? 0;
    const v = BigInt(raw);
    out[f.name] = f.kind === 'u64' ? BigInt.asUintN(64, v) : f.kind === 's32' ? Number(BigInt.asIntN(32, v)) : Number(BigInt.asUintN(f.kind === 'u16' ? 16 : 32, v));
  }
  if (out.freq === 1 && 'sample_period' in out) {
    out.sample_freq = out.sample_period!;
    delete out.sample_period;
  }
  if (out.watermark === 1 && 'wakeup_events' in out) {
    out.wakeup_watermark = out.wakeup_events!;
    delete out.wakeup_events;
  }
  return out;
}

/**
 * A typed EventSpec checked and turned into a working attr: canonical field
 * names, flags as 0/1 numbers, masks as bigint. Bad input is a PerfcompatError
 * naming the field and what would be valid. Pure.
 */
import { ATTR_FIELDS, fieldByName } from '../abi/attr-layout';
import { shownValue } from '../abi/args';
import { PerfcompatError } from '../errors';
import type { EventSpec } from './types';
import { asBig, FLAG_NAMES, MASK_FIELDS, type WorkAttr } from './work-attr';

/** Normalise a typed spec: canonical field names, flags as 0/1 numbers, masks as bigint. */
export function normaliseSpec(spec: EventSpec): { name?: string; attr: WorkAttr } {
  if (spec === null || typeof spec !== 'object') {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event spec: expected an event name or { type, config, …attr fields }, got ${spec === null ? 'null' : typeof spec}`);
  }
  if (typeof spec.type !== 'number' || !Number.isInteger(spec.type) || spec.type < 0) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event spec: type ${shownValue(spec.type)} must be a non-negative integer (0 hardware, 1 software, 2 tracepoint, 3 hw_cache, 4 raw, 5 breakpoint, or a PMU type from sysfs)`);
  }
  const attr: WorkAttr = {};
  let name: string | undefined;
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    if (k === 'name') {
      if (typeof v !== 'string') throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event spec: name must be a string, got ${typeof v}`);
      name = v;
      continue;
    }
    if (typeof v === 'string') throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event spec: ${k} must be a number, bigint or boolean, got the string "${v}"`);
    const val = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    if (FLAG_NAMES.has(k)) { attr[k] = Number(val); continue; }
    const f = fieldByName(k);
    if (!f) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event spec: unknown attr field "${k}"; valid are the perf_event_attr members (${ATTR_FIELDS.map((x) => x.name).join(', ')}) and flag bits (${[...FLAG_NAMES].join(', ')})`);
    }
    if (f.name === 'size' || f.name === 'flags' || f.name === 'aux_action') {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event spec: ${k} is set by the shim; give flag bits by name instead`);
    }
    const key = k === 'sample_freq' || k === 'wakeup_watermark' ? k : f.name;
    attr[key] = key in MASK_FIELDS ? asBig(val) : val;
  }
  return { name, attr };
}

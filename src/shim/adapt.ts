/**
 * Adapt a requested event to a capability map BEFORE the first syscall: pick
 * the attr size, take every fallback the map calls for (the FALLBACKS table),
 * lower precise_ip, exclude the kernel where counting it is denied, set or
 * clear exclude_guest per the core PMU's need, choose the close-on-exec path,
 * and substitute a software stand-in for a hardware event only when the
 * policy asks. Pure: no I/O. Every change is returned as an Adaptation.
 */
import { ATTR_FIELDS, ATTR_FLAGS, AUX_ACTION_FLAGS, fieldByName, smallestAttrSize } from '../abi/attr-layout';
import { encodeAttr } from '../abi/attr-codec';
import { BRANCH_SAMPLE_TYPE, CLOCK_IDS, PERF_FLAG, PERF_TYPE, READ_FORMAT, SAMPLE_TYPE } from '../abi/constants';
import { errnoName } from '../abi/errno';
import { PerfcompatError } from '../errors';
import type { CapabilityMap, Environment } from '../model/capability-map';
import { eventFeatureId, eventLabel, isCorePmuEvent } from './event-identity';
import { AttrBits, CLOEXEC_FEATURE, FALLBACKS, FallbackRule } from './fallbacks';
import { entry, isMissing, isSupported, numericValue } from './map-lookup';
import { standInFor } from './software-standins';
import type { Adaptation, EventSpec, Policy } from './types';

/** A working attr: canonical field names; flag bits by name; masks as bigint. */
export type WorkAttr = Record<string, number | bigint>;

export interface OpenPlan {
  /** Label used in messages and PerfEvent.name. */
  name: string;
  attr: WorkAttr;
  /** The encoded attr, ready for perf_event_open. */
  bytes: Buffer;
  size: number;
  /** perf_event_open flags. */
  openFlags: number;
  /** Set FD_CLOEXEC with fcntl after the open (kernel without PERF_FLAG_FD_CLOEXEC). */
  cloexecViaFcntl: boolean;
  adaptations: Adaptation[];
  /** The event asked for, when a software stand-in replaces it (name is then the stand-in's). */
  substitutedFrom?: string;
  unit?: string;
  /** Feature id of the event itself (event.hardware.cpu_cycles, …), when the map can know it. */
  eventFeature?: string;
}

const FLAG_NAMES = new Set([...ATTR_FLAGS, ...AUX_ACTION_FLAGS].map((f) => f.name));
const MASK_FIELDS: Record<string, readonly { name: string; bit: number }[]> = {
  sample_type: SAMPLE_TYPE, read_format: READ_FORMAT, branch_sample_type: BRANCH_SAMPLE_TYPE,
};
const MASK_OF_KIND = { sampleType: 'sample_type', readFormat: 'read_format', branch: 'branch_sample_type' } as const;
const FEATURE_PREFIX_OF_MASK: Record<string, string> = {
  sample_type: 'sample_type', read_format: 'read_format', branch_sample_type: 'branch_sample_type',
};

function bitOf(maskField: string, name: string): bigint {
  const b = MASK_FIELDS[maskField]!.find((x) => x.name === name);
  if (!b) throw new Error(`fallback table names unknown ${maskField} bit ${name}`);
  return 1n << BigInt(b.bit);
}

function asBig(v: number | bigint | undefined): bigint {
  return v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(v);
}

/** Normalise a typed spec: canonical field names, flags as 0/1 numbers, masks as bigint. */
export function normaliseSpec(spec: EventSpec): { name?: string; attr: WorkAttr } {
  if (spec === null || typeof spec !== 'object') {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event spec: expected an event name or { type, config, …attr fields }, got ${spec === null ? 'null' : typeof spec}`);
  }
  if (typeof spec.type !== 'number' || !Number.isInteger(spec.type) || spec.type < 0) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event spec: type ${String(spec.type)} must be a non-negative integer (0 hardware, 1 software, 2 tracepoint, 3 hw_cache, 4 raw, 5 breakpoint, or a PMU type from sysfs)`);
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

function has(a: WorkAttr, bits: AttrBits | undefined, mode: 'any' | 'all'): boolean {
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

/** Does the rule apply to this attr on this map? (Exported for tests and `probe explain`.) */
export function ruleApplies(rule: FallbackRule, a: WorkAttr, map: CapabilityMap | undefined): boolean {
  return has(a, rule.asks, 'any') && has(a, rule.with, 'all') && !(rule.without && has(a, rule.without, 'any')) && isMissing(map, rule.featureId);
}

function applyRule(rule: FallbackRule, a: WorkAttr): void {
  const d = rule.drop;
  if (d) {
    for (const f of d.flags ?? []) delete a[f];
    for (const f of d.fields ?? []) delete a[f];
    for (const kind of ['sampleType', 'readFormat', 'branch'] as const) {
      const field = MASK_OF_KIND[kind];
      for (const n of d[kind] ?? []) a[field] = asBig(a[field]) & ~bitOf(field, n);
    }
  }
  const s = rule.set;
  if (s) {
    for (const [k, v] of Object.entries(s.flags ?? {})) a[k] = v;
    for (const [k, v] of Object.entries(s.fields ?? {})) a[k] = v;
    for (const n of s.sampleType ?? []) a.sample_type = asBig(a.sample_type) | bitOf('sample_type', n);
  }
}

function describeBits(bits: AttrBits | undefined): string {
  if (!bits) return '';
  const parts: string[] = [...(bits.flags ?? []), ...(bits.fields ?? [])];
  for (const kind of ['sampleType', 'readFormat', 'branch'] as const) {
    for (const n of bits[kind] ?? []) parts.push(`${MASK_OF_KIND[kind]}.${n}`);
  }
  if (bits.clock) parts.push(`clockid ${bits.clock}`);
  return parts.join(', ');
}

function fromMap(map: CapabilityMap | undefined, id: string): Pick<Adaptation, 'featureId' | 'errno' | 'errnoName'> {
  const e = entry(map, id);
  const out: Pick<Adaptation, 'featureId' | 'errno' | 'errnoName'> = { featureId: id };
  if (e?.errno !== undefined) {
    out.errno = e.errno;
    out.errnoName = e.errnoName ?? errnoName(e.errno);
  }
  return out;
}

function statusText(map: CapabilityMap | undefined, id: string): string {
  const e = entry(map, id);
  if (!e) return `${id}: not in the map`;
  return `${id}: ${e.status}${e.errno !== undefined ? ` (${e.errnoName ?? errnoName(e.errno)})` : ''}`;
}

/** The requested ABI features of an attr, as feature ids. */
function requestedFeatures(a: WorkAttr): string[] {
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

export interface PlanContext {
  map?: CapabilityMap;
  policy?: Policy;
  environment?: Environment;
}

/**
 * Build the open plan for a spec. Throws PerfcompatError: ERR_KERNEL (the map
 * already says the kernel refuses it and there is no fallback),
 * ERR_ADAPTATION_REFUSED (strict policy), ERR_ATTR_BEYOND_SIZE, ERR_INVALID_ARGUMENT.
 */
export function planOpen(spec: EventSpec, ctx: PlanContext = {}): OpenPlan {
  const { map, policy = {} } = ctx;
  const env = ctx.environment ?? map?.environment;
  const { name: given, attr: a } = normaliseSpec(spec);
  const adaptations: Adaptation[] = [];
  const asked = given ?? eventLabel(Number(a.type), a.config, env);
  let label = asked;
  let substitutedFrom: string | undefined;
  let unit: string | undefined;

  // 1. The event itself: a hardware event with no PMU here.
  let eventFeature = eventFeatureId(Number(a.type), a.config, env);
  if (eventFeature && isMissing(map, eventFeature)) {
    const e = entry(map, eventFeature)!;
    const hwName = eventFeature.startsWith('event.hardware.') ? eventFeature.slice('event.hardware.'.length) : undefined;
    const standIn = hwName !== undefined && policy.fallback === 'software' ? standInFor(hwName) : undefined;
    if (!standIn) {
      const pmus = env?.pmus.map((p) => p.name).join(', ');
      const hint = hwName !== undefined && standInFor(hwName)
        ? `; policy { fallback: 'software' } would count ${standInFor(hwName)!.label} instead`
        : hwName !== undefined || eventFeature.startsWith('event.hw_cache.') ? '; it has no software stand-in' : '';
      throw new PerfcompatError('ERR_KERNEL',
        `${label}: ${e.status === 'no-hardware' ? 'no PMU on this machine counts it' : 'this kernel does not support it'} (${statusText(map, eventFeature)})${pmus ? `; PMUs here: ${pmus}` : ''}${hint}`,
        { ...(e.errno !== undefined ? { errno: e.errno, errnoName: e.errnoName ?? errnoName(e.errno) } : {}) });
    }
    substitutedFrom = label;
    label = standIn.label;
    unit = standIn.unit;
    adaptations.push({ what: `counts software/${standIn.software} (${standIn.label}) instead of hardware/${hwName}`, why: `no hardware PMU here; ${standIn.note}`, ...fromMap(map, eventFeature) });
    a.type = PERF_TYPE.SOFTWARE;
    a.config = standIn.config;
    delete a.precise_ip;
    eventFeature = `event.software.${standIn.software}`;
  }
  const core = isCorePmuEvent(Number(a.type), env);

  // 2. The fallback table.
  for (const rule of FALLBACKS) {
    if (!ruleApplies(rule, a, map)) continue;
    const why = `${rule.why} (${statusText(map, rule.featureId)})`;
    if (rule.action === 'refuse') {
      const e = entry(map, rule.featureId)!;
      throw new PerfcompatError('ERR_KERNEL', `${label}: ${describeBits(rule.asks)} cannot be used on this kernel and has no fallback: ${why}`,
        { ...(e.errno !== undefined ? { errno: e.errno, errnoName: e.errnoName ?? errnoName(e.errno) } : {}) });
    }
    const what = rule.action === 'drop'
      ? `dropped ${describeBits(rule.drop)}`
      : `replaced ${describeBits(rule.drop ?? rule.asks)} with ${describeSet(rule)}`;
    applyRule(rule, a);
    adaptations.push({ what, why, ...fromMap(map, rule.featureId) });
  }

  // 3. precise_ip: the highest level that opens on the core PMU.
  const wantPrecise = Number(a.precise_ip ?? 0);
  // A map that says no precise level opens at all (unsupported, no-hardware, …) is level 0.
  const preciseEntry = entry(map, 'combo.precise_ip');
  const maxPrecise = numericValue(map, 'combo.precise_ip') ?? (preciseEntry && preciseEntry.status !== 'supported' ? 0 : undefined);
  if (core && wantPrecise > 0 && maxPrecise !== undefined && wantPrecise > maxPrecise) {
    if (maxPrecise === 0 && !policy.allowPreciseDowngrade) {
      throw new PerfcompatError('ERR_ADAPTATION_REFUSED',
        `${label}: precise_ip ${wantPrecise} was asked, but no precise level opens here (combo.precise_ip = 0); pass policy { allowPreciseDowngrade: true } to count with skid`);
    }
    if (maxPrecise === 0) delete a.precise_ip;
    else a.precise_ip = maxPrecise;
    adaptations.push({ what: `precise_ip lowered from ${wantPrecise} to ${maxPrecise}`, why: `the highest precise level that opens here is ${maxPrecise}; samples may skid more`, featureId: 'combo.precise_ip' });
  }

  // 4. Kernel counting denied for this caller: count user space only.
  if (entry(map, 'access.kernel')?.status === 'denied' && (asBig(a.exclude_kernel) === 0n || asBig(a.exclude_hv) === 0n)) {
    const paranoid = env?.paranoid;
    if (asBig(a.exclude_user) !== 0n && asBig(a.exclude_kernel) === 0n) {
      const e = entry(map, 'access.kernel')!;
      throw new PerfcompatError('ERR_KERNEL', `${label}: counts kernel space only (exclude_user), but counting kernel space is denied for this caller${paranoid !== null && paranoid !== undefined ? ` (perf_event_paranoid ${paranoid}; needs CAP_PERFMON or paranoid <= 1)` : ''}`,
        { ...(e.errno !== undefined ? { errno: e.errno, errnoName: e.errnoName ?? errnoName(e.errno) } : {}) });
    }
    const added = ['exclude_kernel', 'exclude_hv'].filter((f) => asBig(a[f]) === 0n);
    for (const f of added) a[f] = 1;
    adaptations.push({ what: `set ${added.join(', ')}`, why: `counting kernel space is denied for this caller${paranoid !== null && paranoid !== undefined ? ` (perf_event_paranoid ${paranoid}, no CAP_PERFMON)` : ''}: only user space is counted`, ...fromMap(map, 'access.kernel') });
  }

  // 5. exclude_guest / exclude_host per the core PMU's need.
  if (core) {
    const g = entry(map, 'combo.exclude_guest');
    if (asBig(a.exclude_guest) !== 0n && isMissing(map, 'combo.exclude_guest')) {
      delete a.exclude_guest;
      adaptations.push({ what: 'cleared exclude_guest', why: `the core PMU refuses exclude_guest: guest execution is counted too (${statusText(map, 'combo.exclude_guest')})`, ...fromMap(map, 'combo.exclude_guest') });
    } else if (asBig(a.exclude_guest) === 0n && isSupported(map, 'combo.exclude_guest') && g?.value === 'required') {
      a.exclude_guest = 1;
      adaptations.push({ what: 'set exclude_guest', why: 'the core PMU opens events only with exclude_guest: guest execution is not counted', featureId: 'combo.exclude_guest' });
    }
    if (asBig(a.exclude_host) !== 0n && isMissing(map, 'combo.exclude_host')) {
      delete a.exclude_host;
      adaptations.push({ what: 'cleared exclude_host', why: `the core PMU refuses exclude_host: host execution is counted too (${statusText(map, 'combo.exclude_host')})`, ...fromMap(map, 'combo.exclude_host') });
    }
  }

  // 6. Anything else the map says is missing has no fallback: refuse before the syscall.
  for (const id of requestedFeatures(a)) {
    if (!isMissing(map, id)) continue;
    const e = entry(map, id)!;
    throw new PerfcompatError('ERR_KERNEL', `${label}: ${id} is not available on this kernel (${statusText(map, id)}) and the shim has no fallback for it; remove it from the request`,
      { ...(e.errno !== undefined ? { errno: e.errno, errnoName: e.errnoName ?? errnoName(e.errno) } : {}) });
  }

  // 7. Close-on-exec path.
  // Unknown, refused or denied: the flag is not passed and fcntl sets FD_CLOEXEC instead.
  const cloexecViaFcntl = isMissing(map, CLOEXEC_FEATURE) || entry(map, CLOEXEC_FEATURE)?.status === 'denied';
  const openFlags = cloexecViaFcntl ? 0 : PERF_FLAG.FD_CLOEXEC;
  if (cloexecViaFcntl) {
    adaptations.push({ what: 'close-on-exec set with fcntl(F_SETFD) after the open', why: `PERF_FLAG_FD_CLOEXEC is not known here (${statusText(map, CLOEXEC_FEATURE)})`, changesMeasurement: false, ...fromMap(map, CLOEXEC_FEATURE) });
  }

  // 8. Strict policy: refuse every change to what is measured.
  if (policy.strict) {
    const needed = adaptations.filter((x) => x.changesMeasurement !== false);
    if (needed.length > 0) {
      throw new PerfcompatError('ERR_ADAPTATION_REFUSED',
        `${asked}: strict policy, but this kernel needs ${needed.length === 1 ? 'an adaptation' : `${needed.length} adaptations`}: ${needed.map((x) => `${x.what} — ${x.why}`).join('; ')}`);
    }
  }

  // 9. Attr size: the map's, or the smallest size version that holds every field.
  const mapSize = numericValue(map, 'attr.size');
  const size = mapSize ?? smallestAttrSize(a);
  let bytes: Buffer;
  try {
    bytes = encodeAttr(a, { size });
  } catch (e) {
    if (e instanceof PerfcompatError && e.code === 'ERR_ATTR_BEYOND_SIZE') {
      throw new PerfcompatError('ERR_ATTR_BEYOND_SIZE', `${label}: this kernel accepts a perf_event_attr of ${size} bytes${mapSize !== undefined ? ' (capability attr.size)' : ''}; ${e.message}`, { cause: e });
    }
    throw e;
  }
  const plan: OpenPlan = { name: label, attr: a, bytes, size, openFlags, cloexecViaFcntl, adaptations };
  if (substitutedFrom !== undefined) plan.substitutedFrom = substitutedFrom;
  if (unit !== undefined) plan.unit = unit;
  if (eventFeature !== undefined) plan.eventFeature = eventFeature;
  return plan;
}

function describeSet(rule: FallbackRule): string {
  const s = rule.set ?? {};
  const parts = [
    ...Object.entries(s.flags ?? {}).map(([k, v]) => `${k}=${v}`),
    ...Object.entries(s.fields ?? {}).map(([k, v]) => (k === 'clockid' ? `clockid ${CLOCK_IDS.find((c) => c.value === v)?.name ?? v}` : `${k}=${v}`)),
    ...(s.sampleType ?? []).map((n) => `sample_type.${n}`),
  ];
  return parts.join(', ');
}

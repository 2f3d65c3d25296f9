/**
 * Whether each generic event opens: every hardware event, every software
 * event, every cache id × op × result, a breakpoint and a tracepoint. The
 * event is the probe (base "none"); it is opened disabled, user space only.
 * errno meanings per kind: a software id past the kernel's PERF_COUNT_SW_MAX
 * gets ENOENT (unknown: unsupported); a hardware or cache event gets ENOENT,
 * or EINVAL for a cache combination the CPU lacks (no-hardware).
 */
import { HW_CACHE_IDS, HW_CACHE_OPS, HW_CACHE_RESULTS, HW_EVENTS, PERF_TYPE, SW_EVENTS, hwCacheConfig, HW_BREAKPOINT } from '../src/abi/constants';
import { readTracepointId } from '../src/env/tracefs';
import { errnoName } from '../src/abi/errno';
import { isErr } from '../src/sys/kernel';
import { errnoClass } from '../src/model/errno-class';
import type { ProbeContext, ProbeDeclaration } from '../src/probe/contract';
import type { FeatureEntry } from '../src/model/capability-map';
import { corePmuForm, formNote } from './core-pmu-form';

/**
 * A CPU-PMU event is opened with the exclusion bits of the hardware base's
 * form (bases.ts: the least restricted one this caller and PMU take — none
 * for a caller who may count the kernel, exclude_guest where the PMU needs
 * it), so a PMU that refuses every exclude bit is not read as absent; user
 * space only when the base itself did not open.
 */
function plainSet(set: Readonly<Record<string, unknown>>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(set)) {
    if (typeof v === 'bigint') out[k] = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : `0x${v.toString(16)}`;
    else if (typeof v === 'number' || typeof v === 'string') out[k] = v;
  }
  return out;
}

function pmuEventHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  const { form, hw } = corePmuForm(ctx);
  const set = { ...form, ...decl.set };
  const r = ctx.open(set);
  if (!isErr(r)) {
    ctx.close(r.fd);
    const e: FeatureEntry = { status: 'supported', base: 'none', set: plainSet(decl.set ?? {}) };
    const note = formNote(form);
    if (note) e.reason = note;
    return e;
  }
  // The base is denied and this form refused by the PMU (it takes no exclude bit): the caller is denied, not the event absent.
  if (hw.errno !== undefined && errnoClass(hw.errno).status === 'denied' && ['EINVAL', 'EOPNOTSUPP'].includes(errnoName(r.errno))) {
    const e = ctx.refused(decl, hw.errno, { name: 'none', attr: form });
    return { ...e, reason: `${e.reason}; user space only is refused with ${errnoName(r.errno)} (this PMU takes no exclude bit), with kernel space counted it is not permitted` };
  }
  return ctx.permitted(ctx.refused(decl, r.errno, { name: 'none', attr: form }), set);
}

const hardware: ProbeDeclaration[] = HW_EVENTS.map((e): ProbeDeclaration => ({
  id: `event.hardware.${e.name}`,
  description: `generic hardware event ${e.name} (PERF_TYPE_HARDWARE, PERF_COUNT_HW_${e.name.toUpperCase()})`,
  base: 'none', set: { type: PERF_TYPE.HARDWARE, config: e.value }, mainline: e.mainline,
  errnos: { EINVAL: 'no-hardware' }, hook: pmuEventHook,
}));

const software: ProbeDeclaration[] = SW_EVENTS.map((e): ProbeDeclaration => ({
  id: `event.software.${e.name}`,
  description: `software event ${e.name} (PERF_TYPE_SOFTWARE, PERF_COUNT_SW_${e.name.toUpperCase()})`,
  base: 'none', set: { type: PERF_TYPE.SOFTWARE, config: e.value }, mainline: e.mainline,
  errnos: { ENOENT: 'unsupported' },
  note: 'the software PMU answers ENOENT for ids past its PERF_COUNT_SW_MAX',
}));

const cache: ProbeDeclaration[] = HW_CACHE_IDS.flatMap((c) => HW_CACHE_OPS.flatMap((op) => HW_CACHE_RESULTS.map((res): ProbeDeclaration => ({
  id: `event.hw_cache.${c.name}.${op.name}.${res.name}`,
  description: `hardware cache event ${c.name}-${op.name}-${res.name} (PERF_TYPE_HW_CACHE)`,
  base: 'none',
  set: { type: PERF_TYPE.HW_CACHE, config: hwCacheConfig(c.value, op.value, res.value) },
  mainline: c.mainline,
  errnos: { EINVAL: 'no-hardware' }, hook: pmuEventHook,
}))));

/** A write breakpoint on a user address nothing writes to (the event is never enabled). */
const breakpoint: ProbeDeclaration = {
  id: 'event.breakpoint', description: 'hardware breakpoints (PERF_TYPE_BREAKPOINT)', base: 'none', mainline: '2.6.33',
  set: { type: PERF_TYPE.BREAKPOINT, config: 0, bp_type: HW_BREAKPOINT.W, bp_addr: 0x1000, bp_len: HW_BREAKPOINT.LEN_8 },
  errnos: { ENOSPC: 'no-hardware' },
};

const TRACEPOINTS: ReadonlyArray<[string, string]> = [['sched', 'sched_switch'], ['syscalls', 'sys_enter_getpid'], ['raw_syscalls', 'sys_enter']];

function tracepointHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  const tracefs = ctx.env.tracefs;
  if (tracefs === null) return { status: 'untestable', reason: 'tracefs is not mounted (or not readable): no tracepoint id to open' };
  for (const [sys, name] of TRACEPOINTS) {
    const found = readTracepointId(tracefs, sys, name);
    if (!('id' in found)) continue;
    const id = found.id;
    const set = { type: PERF_TYPE.TRACEPOINT, config: id, disabled: 1, exclude_kernel: 1, exclude_hv: 1 };
    const r = ctx.open(set);
    const label = `tracepoint/${sys}:${name}`;
    if (!isErr(r)) {
      ctx.close(r.fd);
      return { status: 'supported', base: label, set: { type: PERF_TYPE.TRACEPOINT, config: id } };
    }
    const e = ctx.refused(decl, r.errno, { name: 'none', attr: {} });
    return { ...e, base: label, reason: `${errnoName(r.errno)} opening ${label}` };
  }
  return { status: 'untestable', reason: `no tracepoint id readable under ${tracefs}/events` };
}

const tracepoint: ProbeDeclaration = {
  id: 'event.tracepoint', description: 'tracepoint events (PERF_TYPE_TRACEPOINT)', base: 'none', mainline: '2.6.31', hook: tracepointHook,
};

export const eventProbes: ProbeDeclaration[] = [...hardware, ...software, ...cache, breakpoint, tracepoint];

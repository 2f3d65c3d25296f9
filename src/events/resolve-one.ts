/**
 * Resolve one event of a list (its text, with its own modifiers) to the
 * events it stands for: usually one; several for a tracepoint glob, a PMU
 * prefix matching numbered PMUs (uncore_imc → uncore_imc_0, _1, …), an alias
 * that several PMUs define, or a generic hardware event on a hybrid machine
 * (one per core PMU, tagged with `corePmu`).
 */
import { PERF_TYPE, PERF_PMU_TYPE_SHIFT } from '../abi/constants';
import { eventError, clip } from './event-error';
import type { PmuFiles } from '../env/pmus';
import { parseCpuList } from '../env/proc-tasks';
import { ResolveContext } from './context';
import type { ResolvedEvent } from './types';
import { hardwareName, softwareName, genericSpellings } from './generic-names';
import { parseHwCacheName, CACHE_SPELLINGS } from './hw-cache-names';
import { resolvePmuTerms } from './pmu-terms';
import { resolveTracepoints, tracepointAttr, TRACEPOINT_PART } from './tracepoint-names';
import { parseBreakpoint, breakpointAttr } from './breakpoint-names';
import { applyModifiers, checkModifiers, isModifierString, MODIFIER_CHARS, Attr, ModifierState } from './modifiers';
import { suggestion } from './edit-distance';
import { traceSystemExists } from '../env/tracefs';

export interface Candidate {
  event: ResolvedEvent;
  /** Set when this is one of the per-core-PMU copies of a generic hardware event on a hybrid machine. */
  corePmu?: string;
  /** Set when the name stood for one event on each of several PMUs: a group holding it is split per PMU. */
  splitPmu?: string;
  /** Modifier state (for group modifiers applied later). */
  state: ModifierState;
}

function err(what: string, msg: string): never {
  throw eventError(what, msg);
}

const PMU_FORM = /^([^/:]+)\/([^/]*)\/(.*)$/s;
const RAW_FORM = /^r([0-9a-fA-F]{1,16})$/;
const NAME_FORM = /^[A-Za-z0-9_.-]+$/;

interface Base {
  name: string;
  pmu: string;
  attr: Attr;
  scale?: number;
  unit?: string;
  cpus?: number[];
  corePmu?: string;
}

function generic(ctx: ResolveContext, name: string): Base[] | undefined {
  const sw = softwareName(name);
  if (sw) return [{ name: sw.canonical, pmu: 'software', attr: { type: PERF_TYPE.SOFTWARE, config: BigInt(sw.abi.value) } }];
  const hw = hardwareName(name);
  const cache = hw ? undefined : parseHwCacheName(name);
  if (cache && !cache.ok) err(name, cache.reason);
  if (!hw && !cache) return undefined;
  const type = hw ? PERF_TYPE.HARDWARE : PERF_TYPE.HW_CACHE;
  const config = hw ? BigInt(hw.abi.value) : cache!.event.config;
  const canonical = hw ? hw.canonical : cache!.event.name;
  const cores = ctx.corePmus();
  if (cores.length > 1) {
    // Hybrid: one event per core PMU, the PMU's type in the upper 32 bits of config.
    return cores.map((p) => ({
      name: canonical, pmu: p.name, corePmu: p.name,
      attr: { type, config: (BigInt(p.type!) << BigInt(PERF_PMU_TYPE_SHIFT)) | config },
    }));
  }
  return [{ name: canonical, pmu: cores[0]?.name ?? 'hardware', attr: { type, config } }];
}

function raw(ctx: ResolveContext, hex: string): Base[] {
  const config = BigInt(`0x${hex}`);
  const cores = ctx.corePmus();
  if (cores.length > 1) {
    return cores.map((p) => ({ name: `r${hex}`, pmu: p.name, corePmu: p.name, attr: { type: p.type!, config } }));
  }
  return [{ name: `r${hex}`, pmu: cores[0]?.name ?? 'raw', attr: { type: PERF_TYPE.RAW, config } }];
}

/** PMUs a `pmu/.../` name selects: the exact one, else numbered ones (name_0, name_1, …). */
function pmusNamed(ctx: ResolveContext, name: string, what: string): PmuFiles[] {
  const exact = ctx.pmu(name);
  if (exact) return [exact];
  const numbered = ctx.pmuNames().filter((n) => n.startsWith(`${name}_`) && /^\d+$/.test(n.slice(name.length + 1)));
  if (numbered.length) return numbered.map((n) => ctx.pmu(n)).filter((p): p is PmuFiles => p !== undefined);
  // Not among the PMUs read earlier: one may have been registered since.
  if (ctx.rescan()) return pmusNamed(ctx, name, what);
  const names = ctx.pmuNames();
  if (names.length === 0) err(what, `unknown PMU "${clip(name)}": no PMUs ${ctx.pmuSource()}${ctx.environment ? '' : ' (is sysfs mounted?)'}`);
  err(what, `unknown PMU "${clip(name)}"${suggestion(name, names)}; PMUs ${ctx.environment ? ctx.pmuSource() : 'here'}: ${names.join(', ')}`);
}

function pmuForm(ctx: ResolveContext, pmuName: string, terms: string, what: string): Base[] {
  try {
    return pmuFormOnce(ctx, pmuName, terms, what);
  } catch (e) {
    // An event or term the PMU's files read earlier lack: they may have changed since.
    if (ctx.rescan()) return pmuFormOnce(ctx, pmuName, terms, what);
    throw e;
  }
}

function pmuFormOnce(ctx: ResolveContext, pmuName: string, terms: string, what: string): Base[] {
  const pmus = pmusNamed(ctx, pmuName, what);
  const cores = ctx.corePmus().map((p) => p.name);
  const hybrid = cores.length > 1;
  return pmus.map((pmu) => {
    const r = resolvePmuTerms(pmu, terms, { core: cores.includes(pmu.name), hybrid, what });
    const base: Base = {
      name: r.nameTerm ?? `${pmu.name}/${r.eventName ?? terms}/`,
      pmu: pmu.name,
      attr: r.attr,
    };
    if (r.scale !== undefined) base.scale = r.scale;
    if (r.unit !== undefined) base.unit = r.unit;
    if (pmu.cpumask !== undefined) base.cpus = parseCpuList(pmu.cpumask);
    return base;
  });
}

/** A bare name that is an events/ alias of one or more PMUs (e.g. "tsc" → msr/tsc/). */
function aliasAnywhere(ctx: ResolveContext, name: string, what: string): Base[] | undefined {
  const lower = name.toLowerCase();
  const out: Base[] = [];
  for (const n of ctx.pmuNames()) {
    const p = ctx.pmu(n);
    if (!p) continue;
    const key = [...Object.keys(p.aliases), ...(p.aliasesWithoutTerms ?? [])].find((k) => k.toLowerCase() === lower);
    if (key !== undefined) out.push(...pmuForm(ctx, n, key, what));
  }
  return out.length ? out : undefined;
}

function allAliasNames(ctx: ResolveContext): string[] {
  const out: string[] = [];
  for (const n of ctx.pmuNames()) {
    const p = ctx.pmu(n);
    if (p) for (const a of Object.keys(p.aliases)) out.push(a, `${n}/${a}/`);
  }
  return out;
}

function bases(ctx: ResolveContext, text: string, what: string): { bases: Base[]; modifiers: string } {
  // pmu/terms/[:mods]
  const pm = PMU_FORM.exec(text);
  if (pm) {
    const [, pmuName, terms, after] = pm as unknown as [string, string, string, string];
    if (after !== '' && !after.startsWith(':')) err(what, `unexpected "${clip(after, 20)}" after ${clip(pmuName)}/.../; only :modifiers may follow`);
    if (after === ':') err(what, 'nothing after ":"; give modifiers (e.g. :u) or drop the ":"');
    return { bases: pmuForm(ctx, pmuName.trim(), terms, what), modifiers: after.slice(1) };
  }
  if (text.includes('/') && !text.startsWith('mem:')) {
    err(what, 'a "/" outside mem:ADDR/LEN must be a PMU event: pmu/event/ or pmu/term=value,.../');
  }
  if (text.startsWith('mem:')) {
    const bp = parseBreakpoint(text.slice(4), what);
    return { bases: [{ name: bp.name, pmu: 'breakpoint', attr: breakpointAttr(bp) }], modifiers: bp.modifiers };
  }
  const parts = text.split(':');
  if (parts.length > 1 && parts.some((p) => p === '')) err(what, 'empty part between ":"; write name[:modifiers] or system:tracepoint[:modifiers]');
  if (parts.length > 3) err(what, 'too many ":"; write name[:modifiers] or system:tracepoint[:modifiers]');
  const name = parts[0]!;
  let modifiers = '';
  let tracepoint: [string, string] | undefined;
  let g: Base[] | undefined;
  if (parts.length === 2) {
    // name:mods or system:event — modifiers win unless system:event is a tracepoint.
    g = generic(ctx, name);
    const known = g !== undefined || RAW_FORM.test(name);
    if (known || (isModifierString(parts[1]!) && !looksLikeSystem(ctx, name))) modifiers = parts[1]!;
    else tracepoint = [parts[0]!, parts[1]!];
  } else if (parts.length === 3) {
    tracepoint = [parts[0]!, parts[1]!];
    modifiers = parts[2]!;
  }
  if (tracepoint) {
    const hits = resolveTracepoints(ctx, tracepoint[0], tracepoint[1], what);
    return { bases: hits.map((h) => ({ name: h.name, pmu: 'tracepoint', attr: tracepointAttr(h.id) })), modifiers };
  }
  if (name === '') err(what, 'empty event name');
  g ??= generic(ctx, name);
  if (g) return { bases: g, modifiers };
  const r = RAW_FORM.exec(name);
  if (r) return { bases: raw(ctx, r[1]!), modifiers };
  if (NAME_FORM.test(name)) {
    const a = aliasAnywhere(ctx, name, what);
    if (a) return { bases: a, modifiers };
  }
  // Unknown among the PMU aliases read earlier: read them again once before saying so.
  if (NAME_FORM.test(name) && ctx.rescan()) return bases(ctx, text, what);
  if (/^r/.test(name) && /^r[0-9a-fA-F]{17,}$/.test(name)) err(what, `raw event ${clip(name, 30)}: more than 16 hex digits (64 bits)`);
  const candidates = [...genericSpellings(), ...CACHE_SPELLINGS.map((c) => `${c.canonical}-loads`), ...allAliasNames(ctx)];
  err(what, `unknown event "${clip(name)}"${suggestion(name, candidates)} (generic names: cycles, instructions, task-clock, …; cache events like L1-dcache-load-misses; PMU events pmu/event/; tracepoints system:event; breakpoints mem:ADDR; raw rNNNN)`);
}

function looksLikeSystem(ctx: ResolveContext, name: string): boolean {
  const t = ctx.tracefs();
  if (!t.ok || !TRACEPOINT_PART.test(name)) return false;
  return traceSystemExists(t.root, name);
}

function copyCandidate(c: Candidate): Candidate {
  const event: ResolvedEvent = { ...c.event, attr: { ...c.event.attr } };
  if (c.event.cpus !== undefined) event.cpus = [...c.event.cpus];
  return { ...c, event, state: { ...c.state } };
}

/**
 * Resolve one event's text (with its own modifiers). What a text resolves to
 * against sysfs PMU facts is remembered with them (src/events/context) and
 * copied out: a name resolved before costs no system call and no parsing.
 * Texts that asked tracefs are not remembered.
 */
export function resolveOne(ctx: ResolveContext, text: string): Candidate[] {
  const seen = ctx.remembered(text) as Candidate[] | undefined;
  if (seen !== undefined) return seen.map(copyCandidate);
  const asked = ctx.tracefsAsked;
  const out = resolveOneNow(ctx, text);
  if (ctx.tracefsAsked === asked) ctx.remember(text, out.map(copyCandidate));
  return out;
}

function resolveOneNow(ctx: ResolveContext, text: string): Candidate[] {
  const what = clip(text, 120);
  const { bases: list, modifiers } = bases(ctx, text.trim(), what);
  if (modifiers !== '' && !isModifierString(modifiers)) {
    const bad = [...modifiers].find((c) => !MODIFIER_CHARS.includes(c)) ?? modifiers;
    err(what, `unknown modifier "${bad}" in ":${modifiers.slice(0, 20)}"; valid modifiers: ${[...MODIFIER_CHARS].join(' ')}`);
  }
  // One event per PMU (hybrid cores, numbered PMUs, an alias several PMUs define): groups split by PMU.
  const perPmu = list.length > 1 && list.every((b) => b.pmu !== 'tracepoint') && new Set(list.map((b) => b.pmu)).size === list.length;
  return list.map((b) => {
    const state: ModifierState = { excludeGH: false, letters: '' };
    const attr: Attr = { ...b.attr };
    if (modifiers) applyModifiers(attr, modifiers, state, what);
    const event: ResolvedEvent = { input: text, name: b.name, pmu: b.pmu, attr, modifiers: state.letters };
    if (b.scale !== undefined) event.scale = b.scale;
    if (b.unit !== undefined) event.unit = b.unit;
    if (b.cpus !== undefined) event.cpus = b.cpus;
    const c: Candidate = { event, state };
    if (b.corePmu !== undefined) c.corePmu = b.corePmu;
    if (perPmu) c.splitPmu = b.pmu;
    return c;
  });
}

/** Apply group modifiers, then check every modifier against the capability map. */
export function finishCandidate(ctx: ResolveContext, c: Candidate, groupModifiers: string, groupText: string): ResolvedEvent {
  if (groupModifiers) applyModifiers(c.event.attr, groupModifiers, c.state, groupText);
  c.event.modifiers = c.state.letters;
  const maxPrecise = c.state.letters.includes('P') ? ctx.bootCorePmu()?.caps.max_precise : undefined;
  checkModifiers(c.event.attr, c.state.letters, ctx.capabilities, c.event.input,
    maxPrecise !== undefined && /^[0-3]$/.test(maxPrecise) ? Number(maxPrecise) : undefined);
  return c.event;
}

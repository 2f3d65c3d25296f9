/**
 * `pmu/term=value,term2=value/` and `pmu/event-alias/`: term lists checked
 * against the PMU's format/ specs, events/ aliases (with .scale/.unit) and
 * perf's built-in terms (config…config4, period, freq, name, inherit), and
 * a raw term rNNNN (config = 0xNNNN) as in `cpu/r1a3/`.
 */
import { PERF_TYPE, PERF_PMU_TYPE_SHIFT } from '../abi/constants';
import { eventError, clip } from './event-error';
import type { PmuFiles } from '../env/pmus';
import { hardwareName } from './generic-names';
import { parseHwCacheName } from './hw-cache-names';
import { parseFormatSpec, formatMax, placeFormatValue, formatSpecText, FormatSpec } from './pmu-format';
import { suggestion } from './edit-distance';
import type { Attr } from './modifiers';

export interface Term {
  key: string;
  /** undefined: a bare term; '?': a parameter the user must supply. */
  value?: bigint | string;
}

const CONFIG_TERMS = ['config', 'config1', 'config2', 'config3', 'config4'] as const;
export const BUILTIN_TERMS = [...CONFIG_TERMS, 'period', 'freq', 'name', 'inherit', 'no-inherit'];
const MAX_U64 = (1n << 64n) - 1n;

function err(what: string, msg: string): never {
  throw eventError(what, msg);
}

/** Parse a decimal or 0x-hex u64; undefined when it is not a number. */
export function parseU64(text: string, what: string, term: string): bigint | undefined {
  if (!/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(text)) return undefined;
  const digits = text.replace(/^0[xX]0*|^0+(?=\d)/, '');
  if (digits.length > 20) err(what, `value ${text.slice(0, 30)}… of ${term} does not fit 64 bits`);
  const v = BigInt(text);
  if (v > MAX_U64) err(what, `value ${text} of ${term} does not fit 64 bits`);
  return v;
}

/** Split "a=1,b,c=0x2" into terms. `source` says where the list came from, for errors. */
export function parseTerms(text: string, what: string, source: string): Term[] {
  const out: Term[] = [];
  if (text.trim() === '') return out;
  for (const raw of text.split(',')) {
    const t = raw.trim();
    if (t === '') err(what, `empty term in ${source} "${clip(text)}"`);
    const eq = t.indexOf('=');
    const key = (eq < 0 ? t : t.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) err(what, `"${key.slice(0, 40)}" in ${source} is not a term name (letters, digits, _ . -)`);
    if (eq < 0) { out.push({ key }); continue; }
    const valueText = t.slice(eq + 1).trim();
    if (valueText === '') err(what, `term ${clip(key)} in ${source} has "=" but no value`);
    if (key === 'name') { out.push({ key, value: valueText.replace(/^"(.*)"$/, '$1') }); continue; }
    if (valueText === '?') { out.push({ key, value: '?' }); continue; }
    const v = parseU64(valueText, what, key);
    if (v === undefined) err(what, `value "${clip(valueText, 40)}" of term ${clip(key)} is not a number (decimal or 0x hex)`);
    out.push({ key, value: v });
  }
  return out;
}

export interface PmuTermResult {
  attr: Attr;
  /** Alias used (events/<name>), or legacy generic event name. */
  eventName?: string;
  /** name= term. */
  nameTerm?: string;
  scale?: number;
  unit?: string;
}

interface Ctx {
  pmu: PmuFiles;
  core: boolean;
  hybrid: boolean;
  what: string;
}

/** Parsed format/ specs per PMU's files (read once per process: src/events/context). */
const SPECS = new WeakMap<PmuFiles, Map<string, FormatSpec | string>>();

function formatOf(ctx: Ctx, key: string): FormatSpec | undefined {
  const text = ctx.pmu.formats[key];
  if (text === undefined) return undefined;
  let specs = SPECS.get(ctx.pmu);
  if (specs === undefined) SPECS.set(ctx.pmu, (specs = new Map()));
  let spec = specs.get(text);
  if (spec === undefined) specs.set(text, (spec = parseFormatSpec(text)));
  if (typeof spec === 'string') err(ctx.what, `PMU ${ctx.pmu.name} format/${key} cannot be used: ${spec}`);
  return spec;
}

function aliasOf(pmu: PmuFiles, key: string): [string, PmuFiles['aliases'][string]] | undefined {
  if (Object.prototype.hasOwnProperty.call(pmu.aliases, key)) return [key, pmu.aliases[key]!];
  const lower = key.toLowerCase();
  const hit = Object.keys(pmu.aliases).find((k) => k.toLowerCase() === lower);
  return hit === undefined ? undefined : [hit, pmu.aliases[hit]!];
}

function validTerms(ctx: Ctx): string[] {
  return [...Object.keys(ctx.pmu.formats), ...BUILTIN_TERMS];
}

/**
 * Resolve the term list of `pmu/.../` against the PMU. `core` says whether
 * generic hardware/cache names are legal inside it, `hybrid` whether they
 * take the extended type (PERF_PMU_TYPE_SHIFT).
 */
export function resolvePmuTerms(pmu: PmuFiles, termText: string, opts: { core: boolean; hybrid: boolean; what: string }): PmuTermResult {
  const ctx: Ctx = { pmu, ...opts };
  if (pmu.type === null) err(ctx.what, `PMU ${pmu.name} has no readable type file, so it cannot be opened`);
  const userTerms = parseTerms(termText, ctx.what, `${pmu.name}/.../`);
  if (userTerms.length === 0) {
    err(ctx.what, `no terms between the slashes; give an event of ${pmu.name} (${Object.keys(pmu.aliases).slice(0, 8).join(', ') || 'it has no named events'}) or terms (${validTerms(ctx).join(', ')})`);
  }
  const out: PmuTermResult = { attr: { type: pmu.type } };
  const words = new Map<string, bigint>();
  const pending = new Map<string, string>(); // '?' parameters still needing a value
  let legacy: { type: number; config: bigint } | undefined;

  const apply = (term: Term, fromAlias: string | undefined): void => {
    const source = fromAlias ? `alias ${pmu.name}/${fromAlias}/` : `${pmu.name}/.../`;
    const { key, value } = term;
    if (value === undefined) {
      // A bare term: an alias, a generic event on a core PMU, a 1-bit-or-more format term set to 1, or a flag term.
      const alias = fromAlias ? undefined : aliasOf(pmu, key);
      if (alias) {
        if (out.eventName !== undefined) err(ctx.what, `two events in one term list: ${out.eventName} and ${alias[0]}`);
        out.eventName = alias[0];
        if (alias[1].scale !== undefined) out.scale = alias[1].scale;
        if (alias[1].unit !== undefined) out.unit = alias[1].unit;
        for (const t of parseTerms(alias[1].terms, ctx.what, `events/${alias[0]} of ${pmu.name}`)) apply(t, alias[0]);
        return;
      }
      if (!fromAlias && ctx.core) {
        const hw = hardwareName(key);
        const cache = hw ? undefined : parseHwCacheName(key);
        if (cache && !cache.ok) err(ctx.what, `${clip(key)} on ${pmu.name}: ${cache.reason}`);
        if (hw || cache) {
          if (out.eventName !== undefined) err(ctx.what, `two events in one term list: ${out.eventName} and ${clip(key)}`);
          const ext = ctx.hybrid ? BigInt(pmu.type!) << BigInt(PERF_PMU_TYPE_SHIFT) : 0n;
          legacy = hw
            ? { type: PERF_TYPE.HARDWARE, config: ext | BigInt(hw.abi.value) }
            : { type: PERF_TYPE.HW_CACHE, config: ext | cache!.event.config };
          out.eventName = hw ? hw.canonical : cache!.event.name;
          return;
        }
      }
      const untermed = fromAlias ? undefined : pmu.aliasesWithoutTerms?.find((e) => e.toLowerCase() === key.toLowerCase());
      if (untermed !== undefined) {
        err(ctx.what, `event ${untermed} of PMU ${pmu.name}: the capability map names it without its terms (made by perfcompat 0.1); make the dump again with this version`);
      }
      // A raw term rNNNN is config=0xNNNN, where no alias or format of the PMU bears that name.
      const rawHex = fromAlias ? null : /^r([0-9a-fA-F]+)$/.exec(key);
      if (rawHex && pmu.formats[key] === undefined) {
        if (rawHex[1]!.length > 16) err(ctx.what, `raw term ${clip(key, 30)} in ${source}: more than 16 hex digits (64 bits)`);
        apply({ key: 'config', value: BigInt(`0x${rawHex[1]}`) }, fromAlias);
        return;
      }
      if (key === 'inherit') { out.attr.inherit = 1; return; }
      if (key === 'no-inherit') { out.attr.inherit = 0; return; }
      const spec = formatOf(ctx, key);
      if (spec) { apply({ key, value: 1n }, fromAlias); return; }
      const candidates = [...Object.keys(pmu.aliases), ...validTerms(ctx)];
      err(ctx.what, `PMU ${pmu.name} has no event or term "${clip(key)}"${suggestion(key, candidates)} (events: ${Object.keys(pmu.aliases).slice(0, 12).join(', ') || 'none'}; terms: ${validTerms(ctx).join(', ')}, rNNNN)`);
    }
    if (key === 'name') { out.nameTerm = String(value); return; }
    if (value === '?') { pending.set(key, source); return; }
    if (typeof value === 'string') err(ctx.what, `term ${key} in ${source} takes a number, not "${value}"`);
    pending.delete(key);
    if ((CONFIG_TERMS as readonly string[]).includes(key)) { words.set(key, value); return; }
    if (key === 'period') { out.attr.sample_period = value; return; }
    if (key === 'freq') { out.attr.sample_freq = value; out.attr.freq = 1; return; }
    if (key === 'inherit' || key === 'no-inherit') {
      if (value > 1n) err(ctx.what, `term ${key} takes 0 or 1, not ${value}`);
      out.attr.inherit = key === 'inherit' ? Number(value) : 1 - Number(value);
      return;
    }
    const spec = formatOf(ctx, key);
    if (!spec) {
      err(ctx.what, `PMU ${pmu.name} has no term "${clip(key)}"${suggestion(key, validTerms(ctx))}; valid terms: ${validTerms(ctx).join(', ')}`);
    }
    const max = formatMax(spec);
    if (value > max) {
      err(ctx.what, `value 0x${value.toString(16)} of term ${key} is out of range: format ${formatSpecText(spec)} holds ${spec.bits.length} bit${spec.bits.length === 1 ? '' : 's'} (0..0x${max.toString(16)})`);
    }
    words.set(spec.field, placeFormatValue(words.get(spec.field) ?? 0n, spec, value));
  };

  for (const t of userTerms) apply(t, undefined);
  if (pending.size) {
    const [key, source] = [...pending][0]!;
    err(ctx.what, `${source} needs a value for term ${key} (write ${pmu.name}/${out.eventName ?? '...'},${key}=N/)`);
  }
  if (legacy) {
    if ([...words.keys()].some((k) => k === 'config')) err(ctx.what, `a generic event (${out.eventName}) cannot be combined with config terms`);
    out.attr.type = legacy.type;
    out.attr.config = legacy.config;
  } else {
    out.attr.config = words.get('config') ?? 0n;
  }
  for (const [k, v] of words) if (k !== 'config' && v !== 0n) out.attr[k] = v;
  return out;
}

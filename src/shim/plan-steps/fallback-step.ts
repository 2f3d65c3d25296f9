/**
 * Step 2, the fallback table (fallbacks.ts): every rule whose feature the
 * attr asks for and the map says is missing drops or replaces it, or refuses
 * the event before the syscall when there is no honest fallback.
 */
import { CLOCK_IDS, PERF_TYPE } from '../../abi/constants';
import { PerfcompatError } from '../../errors';
import type { CapabilityMap } from '../../model/capability-map';
import { FALLBACKS, type FallbackRule } from '../fallbacks';
import { isMissing, isSupported } from '../map-lookup';
import { asBig, bitOf, describeBits, hasBits, MASK_OF_KIND, type WorkAttr } from '../work-attr';
import { errnoDetails, fromMap, shortStatus, statusText } from './map-facts';
import type { PlanStep } from './step';

/** Does the rule apply to this attr on this map? */
export function ruleApplies(rule: FallbackRule, a: WorkAttr, map: CapabilityMap | undefined): boolean {
  if (rule.nmiPmu && Number(a.type ?? PERF_TYPE.HARDWARE) === PERF_TYPE.SOFTWARE) return false;
  return hasBits(a, rule.asks, 'any') && hasBits(a, rule.with, 'all') && !(rule.without && hasBits(a, rule.without, 'any')) && decides(rule, map);
}

/** The map's answer for the rule's feature is the one the rule is for. */
function decides(rule: FallbackRule, map: CapabilityMap | undefined): boolean {
  return rule.when === 'supported' ? isSupported(map, rule.featureId) : isMissing(map, rule.featureId);
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

function describeSet(rule: FallbackRule): string {
  const s = rule.set ?? {};
  const parts = [
    ...Object.entries(s.flags ?? {}).map(([k, v]) => `${k}=${v}`),
    ...Object.entries(s.fields ?? {}).map(([k, v]) => (k === 'clockid' ? `clockid ${CLOCK_IDS.find((c) => c.value === v)?.name ?? v}` : `${k}=${v}`)),
    ...(s.sampleType ?? []).map((n) => `sample_type.${n}`),
  ];
  return parts.join(', ');
}

/** What the rule's action does to the attr, as Adaptation.what says it. */
function ruleWhat(rule: FallbackRule): string {
  if (rule.action === 'drop') return `dropped ${describeBits(rule.drop)}`;
  if (rule.action === 'add') return `added ${describeSet(rule)}`;
  return `replaced ${describeBits(rule.drop ?? rule.asks)} with ${describeSet(rule)}`;
}

export const fallbackStep: PlanStep = {
  name: 'the fallback table',
  consults: [...new Set(FALLBACKS.map((r) => r.featureId))],

  apply(work, { map }) {
    const made = [];
    for (const rule of FALLBACKS) {
      if (!ruleApplies(rule, work.attr, map)) continue;
      const why = `${rule.why} (${statusText(map, rule.featureId)})`;
      if (rule.action === 'refuse') {
        throw new PerfcompatError('ERR_KERNEL', `${work.label}: ${describeBits(rule.asks)} cannot be used on this kernel and has no fallback: ${why}`,
          errnoDetails(map, rule.featureId));
      }
      const what = ruleWhat(rule);
      applyRule(rule, work.attr);
      made.push({ what, why, ...fromMap(map, rule.featureId) });
    }
    return made;
  },

  /** The rule for `id` that decides on this map (else the first: the one an attr asking for the feature meets first). */
  explain(map, id) {
    const rules = FALLBACKS.filter((r) => r.featureId === id);
    const rule = rules.find((r) => decides(r, map)) ?? rules.find((r) => r.when !== 'supported') ?? rules[0];
    if (!rule) throw new Error(`the fallback table has no rule for ${id}`);
    const s = shortStatus(map, rule.featureId);
    if (rule.when === 'supported' && decides(rule, map)) return `${ruleWhat(rule)} when asked with ${describeBits(rule.with)} (${s}): ${rule.why}; recorded in event.adaptations`;
    if (!isMissing(map, rule.featureId)) return `used as asked (${s}); fallback if it were missing: ${rule.action} — ${rule.why}`;
    switch (rule.action) {
      case 'refuse': return `refused before the syscall (${s}): no fallback — ${rule.why}`;
      case 'drop': return `${ruleWhat(rule)} when asked (${s}): ${rule.why}; recorded in event.adaptations`;
      case 'replace':
      case 'add': return `${ruleWhat(rule)} when asked (${s}): ${rule.why}; recorded in event.adaptations`;
    }
  },
};

/**
 * The plans one shim open may ask the kernel, in order. The first is the
 * plan made against the map; after a refusal the next is chosen from what
 * the refusal means (its ERRNO_CLASS status), never by hand at the caller:
 * - a software stand-in, for a hardware event the map knew nothing about
 *   that the kernel says has no PMU here (only when the policy asks for it);
 * - a declared retry (OpenRetry): the caller's own wish that the map had no
 *   answer for, dropped when the kernel's refusal has the status it names
 *   (the Sampler's use_clockid).
 * The fd scope asks them (FdScope.openBytes `orElse`); this module only
 * decides. Pure apart from what `prepare` does (no I/O here).
 */
import { encodeAttr } from '../abi/attr-codec';
import { PERF_TYPE } from '../abi/constants';
import type { CapabilityMap, FeatureStatus } from '../model/capability-map';
import type { ScopeRefusal } from '../open/scope';
import { planOpen, type OpenPlan } from './adapt';
import { entry } from './map-lookup';
import type { Adaptation, EventSpec, Policy } from './types';

/** Ask again without some fields when the kernel refuses with a given meaning. */
export interface OpenRetry {
  /** The status (ERRNO_CLASS) of the refusal that calls for this retry. */
  readonly when: FeatureStatus;
  /** Override fields left out the next time. */
  readonly without: readonly string[];
  /** What is recorded when the plan without them is the one that opens. */
  readonly adaptation: (refusal: Pick<ScopeRefusal, 'errno' | 'errnoName'>) => Adaptation;
}

/** One plan of the ladder with the spec it was planned from. */
export interface Rung {
  readonly plan: OpenPlan;
  readonly spec: EventSpec;
  /** This rung is already a stand-in (or tried for one). */
  readonly standIn: boolean;
}

export interface LadderContext {
  readonly map: CapabilityMap | undefined;
  readonly policy: Policy | undefined;
  /** Plan again without the named override fields (the declared retries). */
  readonly prepare: (without: readonly string[]) => { plan: OpenPlan; spec: EventSpec };
  readonly retries?: readonly OpenRetry[];
  /** Attr fields set on every plan after planning: bits no decision of planOpen reads (a group member's disabled/enable_on_exec). */
  readonly patch?: Readonly<Record<string, number | bigint>>;
}

/** The plan with `patch` applied and encoded again at the plan's size. */
export function patchPlan(plan: OpenPlan, patch: Readonly<Record<string, number | bigint>> | undefined): OpenPlan {
  if (!patch || Object.entries(patch).every(([k, v]) => plan.attr[k] === v)) return plan;
  const attr = { ...plan.attr, ...patch };
  return { ...plan, attr, bytes: encodeAttr(attr, { size: plan.size }) };
}

export class OpenLadder {
  /** Every plan asked so far; rung n is the n-th attempt of the scope. */
  readonly rungs: Rung[] = [];
  private readonly used = new Set<OpenRetry>();
  private readonly dropped: string[] = [];
  private readonly retryAdaptations: Adaptation[] = [];

  constructor(private readonly ctx: LadderContext, first: { plan: OpenPlan; spec: EventSpec }) {
    this.rungs.push({ plan: patchPlan(first.plan, ctx.patch), spec: first.spec, standIn: false });
  }

  get last(): Rung {
    return this.rungs[this.rungs.length - 1]!;
  }

  /** The bytes to ask next after `refusal` of the last rung, or undefined: the refusal stands. */
  next(refusal: ScopeRefusal): Uint8Array | undefined {
    if (refusal.call !== undefined) return undefined; // the open worked; what failed after it is not the attr's fault
    const cur = this.last;
    const { map, policy } = this.ctx;
    if (!cur.standIn && this.standInApplies(refusal, cur.plan)) {
      // The map had no answer for this event; the kernel just gave one.
      const observed: CapabilityMap = {
        ...(map ?? ({ features: {} } as unknown as CapabilityMap)),
        features: { ...map?.features, [cur.plan.eventFeature!]: { status: refusal.status, errno: refusal.errno, errnoName: refusal.errnoName, reason: 'observed by the shim at open' } },
      };
      const again = planOpen(cur.spec, { map: observed, policy, environment: map?.environment });
      if (again.substitutedFrom !== undefined) return this.push(again, cur.spec, true);
    }
    const retry = this.ctx.retries?.find((r) => !this.used.has(r) && r.when === refusal.status);
    if (!retry) return undefined;
    this.used.add(retry);
    this.dropped.push(...retry.without);
    this.retryAdaptations.push(retry.adaptation(refusal));
    const p = this.ctx.prepare(this.dropped);
    return this.push(p.plan, p.spec, false);
  }

  private standInApplies(refusal: ScopeRefusal, plan: OpenPlan): boolean {
    const { map, policy } = this.ctx;
    return policy?.fallback === 'software' && !policy.strict && refusal.status === 'no-hardware'
      && Number(plan.attr.type) === PERF_TYPE.HARDWARE && plan.eventFeature !== undefined && entry(map, plan.eventFeature) === undefined;
  }

  private push(plan: OpenPlan, spec: EventSpec, standIn: boolean): Uint8Array {
    const withRetries = this.retryAdaptations.length > 0 ? { ...plan, adaptations: [...this.retryAdaptations, ...plan.adaptations] } : plan;
    const p = patchPlan(withRetries, this.ctx.patch);
    this.rungs.push({ plan: p, spec, standIn });
    return p.bytes;
  }
}

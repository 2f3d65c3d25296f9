/**
 * The AUX family — attr.aux_output, attr.aux_sample_size, attr.aux_start_paused,
 * attr.aux_pause, attr.aux_resume, combo.aux_output — asked where the kernel
 * can say yes: on the AUX PMU (intel_pt, arm_spe, cs_etm) when there is one.
 * kernel/events/core.c (perf_event_open, perf_event_alloc, perf_get_aux_event):
 * aux_output needs PERF_PMU_CAP_AUX_OUTPUT on the member's PMU and a leader
 * with an AUX area; aux_pause/aux_resume a leader whose PMU has
 * PERF_PMU_CAP_AUX_PAUSE; aux_sample_size a leader whose PMU can snapshot
 * (snapshot_aux); aux_start_paused PERF_PMU_CAP_AUX_PAUSE on the event's own
 * PMU. On x86, intel_pmu_hw_config refuses aux_output without precise_ip
 * (EINVAL, 5.4+: the records go out by PEBS via PT), so the member asks
 * precise_ip 1. Without an AUX PMU the declaration is asked as written and
 * a bit the kernel knows is no-hardware, saying that no AUX PMU is here.
 */
import type { AttrInput } from '../src/abi/attr-codec';
import type { FeatureEntry, PmuInfo } from '../src/model/capability-map';
import { BASE_LABELS, type ProbeContext, type ProbeDeclaration } from '../src/probe/contract';
import { isErr } from '../src/sys/kernel';
import { AUX_PMU_NAME } from '../src/env/aux-pmu';

export const NO_AUX_PMU = 'no PMU with an AUX area here (intel_pt, arm_spe, cs_etm) to ask it on';

export function auxPmuOf(ctx: ProbeContext): PmuInfo | undefined {
  return ctx.env.pmus.find((p) => AUX_PMU_NAME.test(p.name));
}

function leaderAttr(aux: PmuInfo): AttrInput {
  return { type: aux.type, config: 0, disabled: 1, exclude_kernel: 1, exclude_hv: 1 };
}

function plain(set: AttrInput): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(set)) if (v !== undefined) out[k] = Number(v);
  return out;
}

/** No AUX PMU: the declaration as written; a refusal the cross-check calls known is no-hardware, saying why. */
function withoutAux(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return ctx.withBase(decl.base, (base, label) => {
    const set = decl.set ?? {};
    const r = ctx.open({ ...base.attr, ...set });
    if (!isErr(r)) return { status: 'supported', base: label, set: plain(set) };
    const e = ctx.permitted(ctx.refused(decl, r.errno, base, set), { ...base.attr, ...set });
    return e.status === 'no-hardware' ? { ...e, reason: `${NO_AUX_PMU}; ${e.reason ?? ''}` } : e;
  });
}

/** `set` on a hardware sampling member of a group led by the AUX PMU's event. */
function asMember(ctx: ProbeContext, decl: ProbeDeclaration, aux: PmuInfo, set: AttrInput): FeatureEntry {
  const label = `${aux.name} leader + ${BASE_LABELS['hardware-sampling']} member`;
  const leaderRefused = { reason: (en: string) => `the AUX leader ${aux.name} does not open (${en})` };
  return ctx.withOpened(leaderAttr(aux), `${aux.name}/config=0/`, (leader) => ctx.withBase('hardware-sampling', (base) => {
    const m = ctx.open({ ...base.attr, ...set, disabled: 0 }, { groupFd: leader });
    if (!isErr(m)) return { status: 'supported', base: label, set: plain(set) };
    return { ...ctx.refused(decl, m.errno, base, set), base: label };
  }, { answerBase: label }), leaderRefused);
}

/** `set` on the AUX PMU's own event. */
function onAuxEvent(ctx: ProbeContext, decl: ProbeDeclaration, aux: PmuInfo, set: AttrInput): FeatureEntry {
  const label = `${aux.name}/config=0/`;
  return ctx.withOpened(leaderAttr(aux), label, () => {
    const r = ctx.open({ ...leaderAttr(aux), ...set });
    if (!isErr(r)) return { status: 'supported', base: label, set: plain(set) };
    return { ...ctx.refused(decl, r.errno, { name: 'none', attr: leaderAttr(aux) }, set), base: label };
  });
}

/** The hook for one member of the family: where the bit goes (the member or the AUX event) and what it is asked with. */
export function auxHook(where: 'member' | 'aux-event', set: AttrInput) {
  return (ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry => {
    const aux = auxPmuOf(ctx);
    if (!aux) return withoutAux(ctx, decl);
    return where === 'member' ? asMember(ctx, decl, aux, set) : onAuxEvent(ctx, decl, aux, set);
  };
}

/** aux_output as perf asks it: with precise_ip (intel_pmu_hw_config sends the records by PEBS via PT). */
export const AUX_OUTPUT_SET: AttrInput = { aux_output: 1, precise_ip: 1 };

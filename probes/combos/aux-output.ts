/**
 * combo.aux_output: a hardware event feeding records into an AUX area, as a
 * member of a group led by the AUX PMU's event (intel_pt, arm_spe, cs_etm).
 */
import type { ProbeContext, ProbeDeclaration } from '../../src/probe/contract';
import { isErr } from '../../src/sys/kernel';
import type { FeatureEntry } from '../../src/model/capability-map';

const AUX_PMU = /^(intel_pt|arm_spe(_\d+)?|cs_etm)$/;

export function auxOutputHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  const aux = ctx.env.pmus.find((p) => AUX_PMU.test(p.name));
  if (!aux) return { status: 'untestable', reason: 'no PMU with an AUX area here (intel_pt, arm_spe, cs_etm) to lead the group' };
  const leaderAttr = { type: aux.type, config: 0, disabled: 1, exclude_kernel: 1, exclude_hv: 1 };
  const label = `${aux.name} leader + hardware/cpu-cycles aux_output`;
  const leaderRefused = { reason: (en: string) => `the AUX leader ${aux.name} does not open (${en})` };
  return ctx.withOpened(leaderAttr, `${aux.name}/config=0/`, (leader) => ctx.withBase('hardware-sampling', (base) => {
    const member = ctx.open({ ...base.attr, aux_output: 1, disabled: 0 }, { groupFd: leader });
    if (!isErr(member)) return { status: 'supported', base: label, set: { aux_output: 1 } };
    return { ...ctx.refused(decl, member.errno, base, { aux_output: 1 }), base: label };
  }), leaderRefused);
}

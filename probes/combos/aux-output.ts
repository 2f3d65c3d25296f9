/**
 * combo.aux_output: a hardware event feeding records into an AUX area, as a
 * member of a group led by the AUX PMU's event (intel_pt, arm_spe, cs_etm),
 * with precise_ip (intel_pmu_hw_config refuses aux_output without it, EINVAL,
 * 5.4+). Without an AUX PMU: no-hardware where the kernel knows aux_output.
 */
import type { ProbeContext, ProbeDeclaration } from '../../src/probe/contract';
import type { FeatureEntry } from '../../src/model/capability-map';
import { AUX_OUTPUT_SET, auxHook, auxPmuOf, NO_AUX_PMU } from '../aux-family';

const member = auxHook('member', AUX_OUTPUT_SET);

export function auxOutputHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  if (auxPmuOf(ctx)) return member(ctx, decl);
  const flag = ctx.entry('attr.aux_output');
  if (flag.status === 'unsupported') return { status: 'untestable', needs: ['attr.aux_output'], reason: `needs attr.aux_output, which is ${flag.status} here` };
  return { status: 'no-hardware', reason: `${NO_AUX_PMU} (a group led by an AUX event)` };
}

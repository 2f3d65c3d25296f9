/**
 * combo.hw_sw_group: a software event as a member of a hardware-led group.
 */
import type { ProbeContext, ProbeDeclaration } from '../../src/probe/contract';
import { isErr } from '../../src/sys/kernel';
import type { FeatureEntry } from '../../src/model/capability-map';

export function hwSwGroupHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  const label = 'hardware/cpu-cycles leader + software/cpu-clock member';
  return ctx.withBase('hardware', (base) => {
    const leader = ctx.open(base.attr);
    if (isErr(leader)) return ctx.refused(decl, leader.errno, base);
    // The software member in the counting base's resolved form, like every base a hook builds on.
    const member = ctx.open({ ...ctx.base('counting').attr, disabled: 0 }, { groupFd: leader.fd });
    if (!isErr(member)) return { status: 'supported', base: label };
    return { ...ctx.refused(decl, member.errno, base), base: label };
  }, { answerBase: label });
}

/**
 * combo.precise_ip: the highest precise_ip (skid constraint) level that opens
 * on the hardware sampling base, asked from 3 down.
 */
import { errnoName } from '../../src/abi/errno';
import { isTransient } from '../../src/model/errno-class';
import type { ProbeContext, ProbeDeclaration } from '../../src/probe/contract';
import { isErr } from '../../src/sys/kernel';
import type { FeatureEntry } from '../../src/model/capability-map';

export function preciseIpHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return ctx.withBase('hardware-sampling', (base, label) => {
    const refusals: Record<string, string> = {};
    for (let level = 3; level >= 1; level--) {
      const r = ctx.open({ ...base.attr, precise_ip: level });
      if (!isErr(r)) {
        ctx.close(r.fd);
        return { status: 'supported', value: level, base: label, set: { precise_ip: level }, measured: refusals };
      }
      if (isTransient(r.errno)) return ctx.refused(decl, r.errno, base, { precise_ip: level });
      refusals[`precise_ip=${level}`] = errnoName(r.errno);
    }
    return { status: 'no-hardware', value: 0, base: label, measured: refusals, reason: 'no precise_ip level above 0 opens on this PMU (no PEBS/IBS/SPE-style precise sampling)' };
  });
}

/**
 * combo.exclude_guest on the core PMU: whether exclude_guest opens, and
 * whether events open only with it. Apple's m1_pmu_set_event_filter
 * (drivers/perf/apple_m1_cpu_pmu.c, 5.17+) refuses an event without
 * exclude_guest unless the kernel runs in hyp mode (EOPNOTSUPP, via
 * arm_pmu.c's __hw_perf_event_init before 6.8; either refusal is read alike); the hardware base then resolves to a form with exclude_guest
 * (bases.ts), and this answers 'required' with the refusal of the form
 * without it as the evidence — the shim sets exclude_guest on core-PMU
 * events there, as perf's evsel__fallback does on EOPNOTSUPP.
 */
import { errnoName } from '../../src/abi/errno';
import type { ProbeContext, ProbeDeclaration } from '../../src/probe/contract';
import { isErr } from '../../src/sys/kernel';
import type { FeatureEntry } from '../../src/model/capability-map';

export function excludeGuestHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return ctx.withBase('hardware', (base, label) => {
    if (Number(base.attr.exclude_guest ?? 0) === 1) {
      const { exclude_guest: _g, ...without } = base.attr;
      const r = ctx.open(without);
      if (isErr(r)) {
        const en = errnoName(r.errno);
        return {
          status: 'supported', value: 'required', base: label, set: { exclude_guest: 1 }, measured: { without: en },
          reason: `the core PMU opens events only with exclude_guest: ${label} without it is refused with ${en}, with it opens`,
        };
      }
      ctx.close(r.fd);
    }
    const r = ctx.open({ ...base.attr, exclude_guest: 1 });
    if (isErr(r)) return ctx.permitted(ctx.refused(decl, r.errno, base, { exclude_guest: 1 }), { ...base.attr, exclude_guest: 1 });
    ctx.close(r.fd);
    return { status: 'supported', base: label, set: { exclude_guest: 1 } };
  });
}

/**
 * The exclusion bits an event on the CPU's own PMU is opened with by a hook
 * that builds its own attr (a generic event, a core PMU's own type): those of
 * the hardware base's resolved form (src/probe/bases.ts, resolveBaseForm —
 * the least restricted form this caller and PMU take: no exclude bit where the
 * caller may count the kernel, as riscv_pmu_legacy's PERF_PMU_CAP_NO_EXCLUDE
 * needs; exclude_guest where Apple's m1_pmu_set_event_filter refuses an event
 * without it), or user space only when the base did not open. A hard-coded
 * user-space-only form would read those PMUs as absent.
 */
import type { ProbeContext, ResolvedBase } from '../src/probe/contract';

const FORM_BITS = ['exclude_kernel', 'exclude_hv', 'exclude_guest'] as const;

/** The disabled + exclusion fields of the hardware base's form, and the base they came from. */
export function corePmuForm(ctx: ProbeContext): { form: Record<string, number>; hw: ResolvedBase } {
  const hw = ctx.base('hardware');
  if (hw.errno !== undefined) return { form: { disabled: 1, exclude_kernel: 1, exclude_hv: 1 }, hw };
  const form: Record<string, number> = { disabled: 1 };
  for (const f of FORM_BITS) if (hw.attr[f] !== undefined) form[f] = Number(hw.attr[f]);
  return { form, hw };
}

/** The form's exclude bits for people: undefined for the plain user-space-only form (nothing to say). */
export function formNote(form: Readonly<Record<string, number>>): string | undefined {
  const bits = Object.keys(form).filter((k) => k.startsWith('exclude_') && form[k] === 1);
  if (bits.join() === 'exclude_kernel,exclude_hv') return undefined;
  return `opened ${bits.length ? `with ${bits.join(', ')}` : 'with no exclude bit'}, as the hardware base takes it`;
}

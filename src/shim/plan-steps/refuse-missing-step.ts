/**
 * Step 6, anything else the attr asks for that the map says is missing: the
 * shim has no fallback for it, so the event is refused before the syscall,
 * naming the feature, instead of failing with a bare EINVAL.
 *
 * Also refused here: a tracepoint the kernel-access step had to make user
 * space only. perf_tp_event_match (kernel/events/core.c) drops every hit of
 * an exclude_kernel tracepoint outside user mode — all of a kernel
 * tracepoint's — while sys_perf_event_open refuses such a caller any event
 * without exclude_kernel (perf_allow_kernel): it could only ever count 0.
 */
import { PERF_TYPE } from '../../abi/constants';
import { PerfcompatError } from '../../errors';
import { isMissing } from '../map-lookup';
import { asBig, requestedFeatures } from '../work-attr';
import { privilegeNeeded } from '../../model/privilege';
import { errnoDetails, shortStatus, statusText } from './map-facts';
import type { PlanStep, PlanWork, StepContext } from './step';

const KERNEL_ACCESS = 'access.kernel';

function refuseSilentTracepoint(work: PlanWork, { map, env }: StepContext): void {
  if (Number(work.attr.type) !== PERF_TYPE.TRACEPOINT || asBig(work.attr.exclude_kernel) === 0n) return;
  if (!work.adaptations.some((a) => a.featureId === KERNEL_ACCESS)) return; // the caller asked for exclude_kernel (a uprobe counts in user mode)
  const paranoid = env?.paranoid;
  throw new PerfcompatError('ERR_KERNEL',
    `${work.label}: a tracepoint fires in the kernel, and counting kernel space is denied for this caller${paranoid !== null && paranoid !== undefined ? ` (perf_event_paranoid ${paranoid})` : ''}: `
    + 'the kernel opens it only with exclude_kernel, and then drops every hit outside user mode (perf_tp_event_match), so it would count 0. '
    + `Counting kernel space ${privilegeNeeded('kernel', paranoid)}; a uprobe event, which fires in user mode, may be opened with exclude_kernel: 1 asked explicitly`,
    errnoDetails(map, KERNEL_ACCESS));
}

export const refuseMissingStep: PlanStep = {
  name: 'refuse what is missing and has no fallback',
  consults: ['attr.*', 'read_format.*', 'sample_type.*', 'branch_sample_type.*'],

  apply(work, ctx) {
    const { map } = ctx;
    for (const id of requestedFeatures(work.attr)) {
      if (!isMissing(map, id)) continue;
      throw new PerfcompatError('ERR_KERNEL', `${work.label}: ${id} is not available on this kernel (${statusText(map, id)}) and the shim has no fallback for it; remove it from the request`,
        errnoDetails(map, id));
    }
    refuseSilentTracepoint(work, ctx);
    return [];
  },

  explain(map, id) {
    return isMissing(map, id)
      ? `refused before the syscall when asked (${shortStatus(map, id)}): the shim has no fallback for it`
      : `passed to the kernel as asked (${shortStatus(map, id)})`;
  },
};

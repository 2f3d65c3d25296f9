/**
 * The simulated caller's privilege, as kernel/events/core.c asks it:
 * CAP_SYS_ADMIN, or CAP_PERFMON on kernels that know it (perfmon_capable);
 * perf_allow_kernel and perf_allow_cpu against perf_event_paranoid.
 */
import type { Persona } from './persona';

/** perfmon_capable: CAP_SYS_ADMIN, or CAP_PERFMON where the kernel has it (5.8+). */
export function privileged(p: Persona): boolean {
  if (p.caps.sysAdmin) return true;
  return p.caps.perfmon && p.features.has('access.cap_perfmon');
}

/** perf_allow_kernel: counting kernel space at paranoid > 1 needs CAP_PERFMON. */
export function allowKernel(p: Persona): boolean {
  return !(p.paranoid > 1 && !privileged(p));
}

/** perf_allow_cpu: CPU-wide events at paranoid > 0 need CAP_PERFMON. */
export function allowCpu(p: Persona): boolean {
  return !(p.paranoid > 0 && !privileged(p));
}

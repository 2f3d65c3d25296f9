/**
 * What this caller may count: kernel space (perf_event_paranoid ≤ 1 or
 * CAP_PERFMON) and CPU-wide events (pid -1 on a CPU: paranoid ≤ 0 or
 * CAP_PERFMON). Refusals are EACCES → denied.
 */
import type { ProbeDeclaration } from '../src/probe/contract';

export const accessProbes: ProbeDeclaration[] = [
  {
    id: 'access.kernel', base: 'counting', set: { exclude_kernel: 0 },
    description: 'counting kernel space (exclude_kernel=0) allowed for this caller',
  },
  {
    id: 'access.cpu_wide', base: 'counting', target: { pid: -1, cpu: 0 },
    description: 'cpu-wide counting (pid=-1 on one CPU) allowed for this caller',
  },
];

/**
 * Every PERF_FLAG_* of perf_event_open. Unknown flags are refused (EINVAL)
 * before the event is built, so refusals are cross-checked on an unregistered
 * PMU type. PID_CGROUP needs a cgroup directory fd as pid and a CPU: given an
 * fd that is not one (0), a kernel that knows the flag answers EBADF from the
 * cgroup lookup — after the flag check — which is the evidence recorded.
 */
import type { ProbeDeclaration } from '../src/probe/declaration';

export const openFlagProbes: ProbeDeclaration[] = [
  { id: 'open_flags.fd_no_group', base: 'counting', target: { flags: 1 << 0 }, oracle: true },
  { id: 'open_flags.fd_output', base: 'counting', target: { flags: 1 << 1 }, oracle: true },
  {
    id: 'open_flags.pid_cgroup', base: 'counting', target: { flags: 1 << 2, pid: 0, cpu: 0 }, oracle: true,
    errnos: { EBADF: 'supported' },
    note: 'fd 0 given as the cgroup: EBADF comes from the cgroup lookup, after the flag check',
  },
  { id: 'open_flags.fd_cloexec', base: 'counting', target: { flags: 1 << 3 }, oracle: true },
];

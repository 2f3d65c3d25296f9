/**
 * Every PERF_FLAG_* of perf_event_open. Unknown flags are refused (EINVAL)
 * before the event is built, so refusals are cross-checked on an unregistered
 * PMU type. PID_CGROUP needs a cgroup directory fd as pid and a CPU: given an
 * fd that is not one (0), a kernel that knows the flag answers EBADF from the
 * cgroup lookup — after the flag check — which is the evidence recorded.
 */
import { F_GETFD, FD_CLOEXEC } from '../src/abi/ioctl';
import { PERF_FLAG } from '../src/abi/constants';
import type { ProbeContext, ProbeDeclaration } from '../src/probe/declaration';
import { isErr } from '../src/sys/kernel';
import type { FeatureEntry } from '../src/model/capability-map';
import { abiDescription } from './describe';

const FD_CLOEXEC_FLAG = PERF_FLAG.FD_CLOEXEC;

/**
 * Kernels before 3.15 did not check the flags word, so FD_CLOEXEC "opens"
 * there too; the fd's close-on-exec bit (F_GETFD; the seam leaves it alone
 * when the flag is asked for) says whether it was honoured.
 */
function cloexecHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return ctx.withBase(decl.base, (base, label) => {
    const r = ctx.open(base.attr, { flags: FD_CLOEXEC_FLAG });
    if (isErr(r)) return ctx.refused(decl, r.errno, base);
    const fl = ctx.kernel.fcntl(r.fd, F_GETFD, 0);
    ctx.close(r.fd);
    const set = { flags: 'PERF_FLAG_FD_CLOEXEC' };
    if (isErr(fl)) return { status: 'error', base: label, set, errno: fl.errno, reason: 'fcntl(F_GETFD) failed on the new fd' };
    if ((fl.value & FD_CLOEXEC) !== 0) return { status: 'supported', base: label, set };
    return { status: 'unsupported', base: label, set, reason: 'the flag is accepted but ignored: the fd is not close-on-exec (kernels before 3.15 did not check open flags)' };
  });
}

export const openFlagProbes: ProbeDeclaration[] = [
  { id: 'open_flags.fd_no_group', description: abiDescription('open_flags.fd_no_group'), base: 'counting', target: { flags: PERF_FLAG.FD_NO_GROUP }, oracle: true },
  { id: 'open_flags.fd_output', description: abiDescription('open_flags.fd_output'), base: 'counting', target: { flags: PERF_FLAG.FD_OUTPUT }, oracle: true },
  {
    id: 'open_flags.pid_cgroup', description: abiDescription('open_flags.pid_cgroup'), base: 'counting', target: { flags: PERF_FLAG.PID_CGROUP, pid: 0, cpu: 0 }, oracle: true,
    errnos: { EBADF: 'supported' },
    note: 'fd 0 given as the cgroup: EBADF comes from the cgroup lookup, after the flag check',
  },
  { id: 'open_flags.fd_cloexec', description: abiDescription('open_flags.fd_cloexec'), base: 'counting', target: { flags: FD_CLOEXEC_FLAG }, oracle: true, hook: cloexecHook },
];

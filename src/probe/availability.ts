/**
 * Is perf_event_open usable here at all? When every open of the most
 * permissive events is refused with ENOSYS, EPERM or EACCES, there is nothing
 * to probe: one PerfcompatError('ERR_PERF_UNAVAILABLE') names the cause —
 * seccomp, perf_event_paranoid, or a kernel without perf events.
 */
import type { AttrInput } from '../abi/attr-codec';
import { errnoName } from '../abi/errno';
import { PerfcompatError } from '../errors';
import { isErr } from '../sys/kernel';
import { statusOfErrno } from '../model/errno-class';
import { BASES } from './bases';
import type { ProbeRun } from './engine';
import type { Environment } from '../model/capability-map';
import { capabilityToGrant, holdsPrivilege, privilegeAdvice } from '../model/privilege';

/** No open can work: no syscall, or no permission (the errno table's `denied`). */
function fatal(errno: number): boolean {
  return errnoName(errno) === 'ENOSYS' || statusOfErrno(errno) === 'denied';
}

export function assertPerfUsable(run: ProbeRun): void {
  const tries: AttrInput[] = [BASES.counting, BASES.dummy, { ...BASES.dummy, exclude_user: 1 }];
  let last = 0;
  for (const attr of tries) {
    const r = run.open(attr);
    if (!isErr(r)) {
      run.close(r.fd);
      return;
    }
    if (!fatal(r.errno)) return; // refused for another reason: the probes will say why
    last = r.errno;
  }
  const name = errnoName(last);
  throw new PerfcompatError('ERR_PERF_UNAVAILABLE', `perf_event_open is not usable here: ${cause(name, run.env)}`, { errno: last, errnoName: name });
}

export function cause(name: string, env: Environment): string {
  const seccomp = env.seccomp.mode === 2;
  if (name === 'ENOSYS') {
    return seccomp
      ? `every open fails with ENOSYS and a seccomp filter is active (${env.seccomp.filters ?? '?'} filters): the container runtime's seccomp profile hides the syscall; allow perf_event_open in it`
      : 'every open fails with ENOSYS: this kernel has no perf events (CONFIG_PERF_EVENTS) or the syscall is filtered';
  }
  // A caller who already holds what the paranoid level asks for (CAP_SYS_ADMIN, or CAP_PERFMON below Debian's level 3).
  const privileged = holdsPrivilege(env.capabilities, env.paranoid);
  if ((name === 'EPERM' || name === 'EACCES') && seccomp) {
    return `every open fails with ${name} and a seccomp filter is active (${env.seccomp.filters ?? '?'} filters): the seccomp profile refuses perf_event_open; allow it (e.g. docker --security-opt seccomp=…)${privileged ? '' : ` or add ${capabilityToGrant(env.paranoid)}`}`;
  }
  if (privileged) {
    return `every open fails with ${name} although this caller (euid ${env.euid}) has ${env.capabilities.sysAdmin ? 'CAP_SYS_ADMIN' : 'CAP_PERFMON'}: a security module (SELinux, AppArmor) or the container's policy refuses perf_event_open`;
  }
  return `every open fails with ${name}: perf_event_paranoid is ${env.paranoid ?? 'unknown'} and this caller (euid ${env.euid}) lacks ${capabilityToGrant(env.paranoid)}; ${privilegeAdvice(env.paranoid)}`;
}

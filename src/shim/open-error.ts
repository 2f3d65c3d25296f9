/**
 * The error for an open the kernel still refused: it names the event, the
 * errno and the likely cause, from the facts of the map's environment
 * (paranoid level, capabilities, seccomp, PMUs present) — never a guess from
 * the kernel version.
 */
import { errnoName, ERRNO_MEANING } from '../abi/errno';
import { PerfcompatError } from '../errors';
import type { Environment } from '../model/capability-map';
import { paranoidAny, privilegeAdvice, privilegeLacking, privilegeNeeded } from '../model/privilege';
import type { Adaptation } from './types';

export interface OpenFailure {
  name: string;
  errno: number;
  pid: number;
  cpu: number;
  environment?: Environment;
  adaptations?: readonly Adaptation[];
  /** The kernel's attr size write-back on E2BIG. */
  attrSize?: number;
  size?: number;
  /** One more sentence for the message (e.g. the fallback policy that would help). */
  hint?: string;
}

function likelyCause(f: OpenFailure, name: string): string {
  const env = f.environment;
  const caps = env?.capabilities;
  const seccomp = env?.seccomp.mode === 2 ? ' A seccomp filter is active in this process and may be refusing perf_event_open.' : '';
  switch (name) {
    case 'EACCES':
    case 'EPERM': {
      const parts: string[] = [];
      if (env?.paranoid !== null && env?.paranoid !== undefined) {
        const lacking = caps ? privilegeLacking(caps, env.paranoid) : undefined;
        parts.push(`perf_event_paranoid is ${env.paranoid}${lacking ? ` and ${lacking}` : ''}`);
        if (paranoidAny(env.paranoid)) parts.push(privilegeAdvice(env.paranoid));
        else if (env.paranoid >= 2) parts.push(`at 2 only user-space counting of your own tasks is allowed (set exclude_kernel/exclude_hv); kernel space ${privilegeNeeded('kernel', env.paranoid)}`);
        if (env.paranoid >= 1 && (f.pid === -1 || f.cpu >= 0)) parts.push(`CPU-wide counting (pid -1) ${privilegeNeeded('cpu-wide', env.paranoid)}`);
      }
      if (env?.container.length) parts.push(`this looks like a container (${env.container.join(', ')}), whose runtime may block perf`);
      return `${parts.join('; ') || 'not permitted for this caller'}.${seccomp}`;
    }
    case 'ENOENT':
    case 'ENODEV':
    case 'EOPNOTSUPP':
      return `the event or a feature it asks for is not counted by any PMU here${env ? ` (PMUs: ${env.pmus.map((p) => p.name).join(', ') || 'none'})` : ''}.`;
    case 'EMFILE':
      return 'this process has run out of file descriptors (RLIMIT_NOFILE, see `ulimit -n`); close events or raise the limit.';
    case 'ENFILE':
      return 'the system-wide file table is full.';
    case 'ENOSYS':
      return `perf_event_open is not available: a kernel built without CONFIG_PERF_EVENTS, or a seccomp profile that answers ENOSYS.${seccomp}`;
    case 'E2BIG':
      return `the kernel knows a perf_event_attr of ${f.attrSize ?? '?'} bytes and the shim sent ${f.size ?? '?'}: the capability map is stale (probe again).`;
    case 'EINVAL':
      return `the kernel rejected a value of the attr${f.adaptations?.length ? ` (after adaptations: ${f.adaptations.map((a) => a.what).join('; ')})` : ''}; the capability map may be stale or the PMU needs different config bits.`;
    case 'EBUSY':
      return 'the PMU is held exclusively by another user (another profiler, or a pinned/exclusive event).';
    case 'ESRCH':
      return `no process ${f.pid}.`;
    case 'EINTR':
      return 'interrupted by a signal; retry.';
    default:
      return ERRNO_MEANING[name] ?? 'unknown cause.';
  }
}

export function openError(f: OpenFailure): PerfcompatError {
  const name = errnoName(f.errno);
  const target = f.pid === -1 ? `CPU ${f.cpu}` : f.pid === 0 ? 'this process' : `pid ${f.pid}`;
  return new PerfcompatError('ERR_KERNEL',
    `${f.name}: perf_event_open on ${target}${f.cpu >= 0 && f.pid !== -1 ? ` CPU ${f.cpu}` : ''} failed with ${name} (${ERRNO_MEANING[name] ?? 'errno ' + f.errno}). Likely cause: ${likelyCause(f, name)}${f.hint ? ` ${f.hint}` : ''}`,
    { errno: f.errno, errnoName: name });
}

/**
 * The simulated RLIMIT_NOFILE (getrlimit/setrlimit through prlimit64): the
 * soft limit is the persona's rlimitNofile, which lowestFreeFd honours; it may
 * be raised up to rlimitNofileHard (raising the hard limit, which needs
 * CAP_SYS_RESOURCE, is not modelled: EPERM), other resources neither (EINVAL).
 */
import { rlimitNofileResource } from '../../src/sys/nofile';
import type { RlimitResult, VoidResult } from '../../src/sys/kernel';
import { ERRNO } from '../../src/abi/errno';
import type { Persona } from './persona';

export function simGetrlimit(p: Persona, arch: string, resource: number): RlimitResult {
  if (resource !== rlimitNofileResource(arch)) return { errno: ERRNO.EINVAL! };
  return { soft: BigInt(p.rlimitNofile), hard: BigInt(p.rlimitNofileHard) };
}

export function simSetrlimit(p: Persona, arch: string, resource: number, soft: bigint, hard: bigint): VoidResult {
  if (resource !== rlimitNofileResource(arch) || soft > hard) return { errno: ERRNO.EINVAL! };
  if (hard > BigInt(p.rlimitNofileHard)) return { errno: ERRNO.EPERM! };
  p.rlimitNofile = Number(soft);
  p.rlimitNofileHard = Number(hard);
  return { ok: true };
}

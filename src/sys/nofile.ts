/**
 * RLIMIT_NOFILE on EMFILE, as perf does (tools/perf/util/evsel.c,
 * evsel__increase_rlimit): the first time an open runs out of descriptors,
 * raise the soft limit to the hard limit and open again — once per kernel
 * seam, never below the current limit, and never when the seam cannot say.
 */
import type { Kernel } from './kernel';
import { isErr } from './kernel';
import { logger } from './log';

const log = logger('sys');

/** RLIMIT_NOFILE: 7 in the generic and x86/arm/riscv/powerpc/s390 headers, 5 on mips (asm/resource.h). */
export function rlimitNofileResource(arch: string): number {
  return arch.startsWith('mips') ? 5 : 7;
}

const tried = new WeakSet<Kernel>();

/** What raising did: the limits before and after, or why nothing changed. */
export type NofileRaise = { raised: true; from: bigint; to: bigint } | { raised: false; why: string };

/** After an EMFILE: raise the soft RLIMIT_NOFILE to the hard one, the first time only. */
export function raiseNofileOnce(kernel: Kernel): NofileRaise {
  if (tried.has(kernel)) return { raised: false, why: 'already raised once' };
  tried.add(kernel);
  if (!kernel.getrlimit || !kernel.setrlimit) return { raised: false, why: 'this kernel seam has no getrlimit/setrlimit' };
  const resource = rlimitNofileResource(kernel.arch);
  const cur = kernel.getrlimit(resource);
  if (isErr(cur)) return { raised: false, why: `getrlimit failed (errno ${cur.errno})` };
  if (cur.soft >= cur.hard) return { raised: false, why: `the soft limit ${cur.soft} is the hard limit already` };
  const set = kernel.setrlimit(resource, cur.hard, cur.hard);
  if (isErr(set)) return { raised: false, why: `setrlimit to ${cur.hard} failed (errno ${set.errno})` };
  if (log.enabled) log('RLIMIT_NOFILE raised from %s to %s after EMFILE', cur.soft, cur.hard);
  return { raised: true, from: cur.soft, to: cur.hard };
}

/**
 * Run inside a kernel-matrix guest with kernel.perf_user_access set: one
 * cycles event read from user space (EventSet.read() through the control
 * page: arm64 mrs) and, in the same set, with read() (readValues), in the
 * order user, syscall, user on a counter that keeps counting, so the
 * syscall answer must lie between the two user answers; then the cost of
 * each path per read. Prints one JSON object; the host-side tests judge it.
 */
import * as fs from 'node:fs';
import { EventSet } from '../../../src/index';

function readText(p: string): string | null {
  try { return fs.readFileSync(p, 'utf8').trim(); } catch { return null; }
}

function nsPer(iters: number, fn: () => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) fn();
  return Number(process.hrtime.bigint() - t0) / iters;
}

function main(): Record<string, unknown> {
  const out: Record<string, unknown> = { perfUserAccess: readText('/proc/sys/kernel/perf_user_access') };
  const fast = new EventSet();
  const slow = new EventSet({ userRead: false });
  try {
    fast.add('cycles');
    slow.add('cycles');
    fast.start();
    slow.start();
    let x = 0;
    for (let i = 0; i < 1e6; i++) x = (x + i) | 0;
    const triples: { user1: number; syscall: number; user2: number }[] = [];
    for (let r = 0; r < 20; r++) {
      const user1 = fast.read()[0]!;
      const syscall = Number(fast.readValues()[0]!.scaled);
      const user2 = fast.read()[0]!;
      triples.push({ user1, syscall, user2 });
    }
    const o1 = new Float64Array(1); const o2 = new Float64Array(1);
    nsPer(20_000, () => fast.read(o1)); nsPer(20_000, () => slow.read(o2));
    const user = nsPer(50_000, () => fast.read(o1));
    const syscall = nsPer(50_000, () => slow.read(o2));
    Object.assign(out, { paths: fast.userRead.paths, slowPaths: slow.userRead.paths, stats: { ...fast.userRead.stats }, triples, nsUser: user, nsSyscall: syscall, work: x === 0.5 ? 0 : 1 });
  } catch (e) {
    out.error = (e as Error).message;
  } finally {
    fast.close();
    slow.close();
  }
  return out;
}

process.stdout.write(`${JSON.stringify(main())}\n`);

/**
 * User-space counter reads: EventSet.read() of one cycles event through its
 * control page (rdpmc / mrs) against the same set reading with read()
 * (userRead: false), where this machine grants it; else "not available
 * here" with the reason. Always measured, PMU or not: the cost of the
 * mechanism itself — the JavaScript seqlock loop over a control page built
 * in memory around the native self-test stub, against one bare call of that
 * stub (the floor a stub doing the whole loop natively could reach).
 */
import { MMAP_PAGE } from '../src/abi/mmap-page';
import { createUserPageValue, readUserPage, readUserPageNumbers } from '../src/abi/user-page-read';
import { realKernel } from '../src/sys/real-kernel';
import { userCounterStubs } from '../src/sys/user-counter';
import { EventSet } from '../src/shim/event-set';
import type { BenchResult } from './result';
import { median } from './c-program';

function nsPer(iters: number, fn: () => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) fn();
  return Number(process.hrtime.bigint() - t0) / iters;
}

function rounds(n: number, iters: number, fns: (() => void)[]): number[][] {
  for (const f of fns) nsPer(iters, f); // warm up
  const out: number[][] = fns.map(() => []);
  for (let r = 0; r < n; r++) fns.forEach((f, i) => out[i]!.push(nsPer(iters, f)));
  return out;
}

function cyclesSet(userRead: boolean): EventSet | string {
  const set = new EventSet({ userRead });
  try {
    set.add('cycles');
  } catch (e) {
    set.close();
    return (e as Error).message.split('\n')[0]!;
  }
  set.start();
  return set;
}

export async function runUserReadBench(opts: { iters?: number; rounds?: number } = {}): Promise<BenchResult[]> {
  const iters = opts.iters ?? 100_000;
  const n = opts.rounds ?? 7;
  const out: BenchResult[] = [];
  const fast = cyclesSet(true);
  const slow = cyclesSet(false);
  try {
    const path = typeof fast === 'string' ? undefined : fast.userRead.paths[0];
    if (typeof fast === 'string' || typeof slow === 'string' || path?.path !== 'user') {
      out.push({ name: 'EventSet.read() user-space (rdpmc/mrs) vs read(), 1 cycles event', value: NaN, unit: 'ns/read',
        note: `not available here: ${typeof fast === 'string' ? fast : path?.reason ?? 'no path'}` });
    } else {
      const o1 = new Float64Array(1); const o2 = new Float64Array(1);
      const [u, s] = rounds(n, iters, [() => fast.read(o1), () => slow.read(o2)]);
      const ratios = u!.map((x, i) => x / s![i]!);
      out.push({ name: 'EventSet.read() user-space (rdpmc/mrs) vs read(), 1 cycles event', value: median(u!), unit: 'ns/read', baseline: median(s!), ratio: median(ratios),
        note: `user reads ${fast.userRead.stats.user}, fell back ${fast.userRead.stats.syscall}${fast.userRead.stats.lastRefusal ? ` (last: ${fast.userRead.stats.lastRefusal})` : ''}` });
    }
  } finally {
    if (typeof fast !== 'string') fast.close();
    if (typeof slow !== 'string') slow.close();
  }
  const stubs = userCounterStubs(realKernel());
  if (!('stubs' in stubs)) {
    out.push({ name: 'user-read mechanism: JS seqlock loop vs one bare stub call', value: NaN, unit: 'ns/read', note: `not available here: ${stubs.reason}` });
    return out;
  }
  // A control page as the kernel leaves it for a running, not multiplexed event; the identity stub stands in for rdpmc.
  const page = new DataView(new ArrayBuffer(4096));
  page.setUint32(MMAP_PAGE.lock.offset, 2, true);
  page.setUint32(MMAP_PAGE.index.offset, 1, true);
  page.setBigInt64(MMAP_PAGE.offset.offset, 1000n, true);
  page.setBigUint64(MMAP_PAGE.time_enabled.offset, 10n, true);
  page.setBigUint64(MMAP_PAGE.time_running.offset, 10n, true);
  page.setUint32(MMAP_PAGE.capabilities.offset, 0b1110, true);
  page.setUint16(MMAP_PAGE.pmc_width.offset, 48, true);
  const id = stubs.stubs.identity;
  const src = { counter: (x: number) => id(x), timestamp: () => 0 };
  const v = createUserPageValue();
  const nums = new Float64Array(3);
  const [loop, big, bare] = rounds(n, iters, [() => { readUserPageNumbers(page, src, nums); }, () => { readUserPage(page, src, v); }, () => { id(5); }]);
  out.push({ name: 'user-read mechanism: JS seqlock loop vs one bare stub call', value: median(loop!), unit: 'ns/read', baseline: median(bare!), ratio: median(loop!.map((x, i) => x / bare![i]!)),
    note: `the difference is the most a stub doing the whole loop natively could save; the BigInt reference loop: ${median(big!).toFixed(0)} ns` });
  return out;
}

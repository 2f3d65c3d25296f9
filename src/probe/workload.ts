/**
 * The work a behaviour check counts, behind a seam: a Workload does the
 * declared work and says how its time and iterations relate to the kernel's
 * clocks. realWorkload() is this process's CPU on a real kernel; a kernel
 * seam may bring its own (`kernel.workload`) when its counters do not follow
 * the CPU, and a context may be handed one explicitly.
 */
import { spawnSync } from 'node:child_process';
import { PerfcompatError } from '../errors';
import type { Kernel } from '../sys/kernel';
import type { WorkDecl, WorkResult, Workload } from './behaviour-types';
import { CheckAbort } from './behaviour-verdict';
import { readMaxSampleRate } from '../env/sample-rate';

export type { Workload } from './behaviour-types';

/** A kernel seam that brings the workload its counters follow. */
export interface KernelWithWorkload extends Kernel {
  readonly workload: Workload;
}

/** The kernel's own workload if it brings one, else the real one. */
export function workloadOf(kernel: Kernel): Workload {
  const own = (kernel as Partial<KernelWithWorkload>).workload;
  return own ?? realWorkload(kernel);
}

/** Work on this thread's CPU, measured by its clocks. */
export function realWorkload(kernel: Pick<Kernel, 'threadCpuNs' | 'pageSize'>): Workload {
  return {
    exact: false,
    run(decl: WorkDecl): WorkResult {
      const start = process.hrtime.bigint();
      const cpuNow = cpuClock(kernel);
      const cpu0 = cpuNow();
      let pages = 0;
      let children = 0;
      if (decl.touch_pages !== undefined) pages = touchPages(decl.touch_pages, kernel.pageSize());
      if (decl.exec !== undefined) {
        runChild(decl.exec);
        children = 1;
      }
      if (decl.iterations !== undefined) loop(decl.iterations);
      if (decl.cpu_ms !== undefined) spinCpu(decl.cpu_ms, cpuNow);
      if (decl.spin_ms !== undefined) spin(decl.spin_ms);
      return { wallNs: Number(process.hrtime.bigint() - start), cpuNs: Number(cpuNow() - cpu0), pages, children };
    },
    spanNs: (_done, realNs) => realNs,
    iterationsFor: (ms) => Math.max(1000, Math.round(ms * 1e6 / loopNsPerIteration())),
    maxSampleRate: () => readMaxSampleRate() ?? undefined,
  };
}

let sink = 0;

/** Busy loop on this thread for ms wall milliseconds. */
export function spin(ms: number): void {
  if (!(ms >= 0) || ms > 60000) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `work spin_ms ${ms}: expected 0..60000`);
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  let x = sink | 1;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 1000; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  }
  sink = x;
}

/** Run the fixed busy loop n times: the same work on every call, however the CPU time is accounted. */
export function loop(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 1e10) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `work iterations ${n}: expected an integer 0..1e10`);
  let x = sink | 1;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  sink = x;
}

let nsPerIteration: number | undefined;

/**
 * Wall ns one iteration of loop() takes here, measured once. The JIT
 * compiles the loop at some point after it starts (under emulation an
 * interpreted loop is tens of times slower, and a calibration that timed it
 * would make every later "5 ms" a fraction of that): runs are timed until
 * the fastest per iteration has not improved by 10% for three runs of
 * 20 ms or more (the loop count doubles while a run is shorter); at most ~3 s.
 */
export function loopNsPerIteration(): number {
  if (nsPerIteration !== undefined) return nsPerIteration;
  const time = (n: number): number => {
    const t0 = process.hrtime.bigint();
    loop(n);
    return Number(process.hrtime.bigint() - t0);
  };
  let n = 10_000;
  let best = Infinity;
  let stale = 0;
  let spent = 0;
  while (stale < 3 && spent < 3e9) {
    const t = time(n);
    spent += t;
    const per = t / n;
    if (per < best * 0.9) stale = 0;
    else stale += 1;
    best = Math.min(best, per);
    // Only runs of 20 ms or more decide that the speed is settled.
    if (t < 20e6 && n < 1e9) {
      n *= 2;
      stale = 0;
    }
  }
  nsPerIteration = Math.max(best, 1e-3);
  return nsPerIteration;
}

/**
 * A CPU clock in ns for the work: the calling thread's (what a task clock on
 * pid 0 counts) where the kernel seam has one, else the process's — which also
 * charges Node's GC and libuv threads running beside the work.
 */
export function cpuClock(kernel: Pick<Kernel, 'threadCpuNs'>): () => bigint {
  if (typeof kernel.threadCpuNs === 'function') return () => kernel.threadCpuNs!();
  return () => {
    const u = process.cpuUsage();
    return BigInt(u.user + u.system) * 1000n;
  };
}

/**
 * Busy loop until `clock` (ns of CPU time, see cpuClock) has advanced by ms:
 * a known amount of work whatever else the machine runs. Gives up after 50×
 * that in wall time (at least 2 s) on a machine too loaded to give it the CPU.
 */
export function spinCpu(ms: number, clock: () => bigint): void {
  if (!(ms >= 0) || ms > 10000) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `work cpu_ms ${ms}: expected 0..10000`);
  const start = clock();
  const wallEnd = process.hrtime.bigint() + BigInt(Math.round(Math.max(2000, 50 * ms) * 1e6));
  const goal = BigInt(Math.round(ms * 1e6));
  let x = sink | 1;
  for (;;) {
    for (let i = 0; i < 20000; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
    if (clock() - start >= goal || process.hrtime.bigint() >= wallEnd) break;
  }
  sink = x;
}

/**
 * Write one byte into each of n fresh pages. The allocation is larger than
 * glibc's largest mmap threshold (32 MiB) so that it is always a new mapping
 * whose pages fault on first write, however often this runs.
 */
export function touchPages(n: number, pageSize: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 65536) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `work touch_pages ${n}: expected an integer 0..65536`);
  const bytes = Math.max(n * pageSize, 33 * 1024 * 1024);
  const buf = new Uint8Array(new ArrayBuffer(bytes));
  for (let i = 0; i < n; i++) buf[i * pageSize] = 1;
  return n;
}

function runChild(argv: readonly string[]): void {
  if (argv.length === 0) throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'work exec: empty argv; expected a program and its arguments');
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  if (r.error || r.status !== 0) {
    throw new CheckAbort({ status: 'untestable', reason: `work exec ${argv.join(' ')}: ${r.error ? r.error.message : `exit status ${r.status}`}` });
  }
}

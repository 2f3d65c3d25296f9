/**
 * EventSet.read() benchmark: the cost of one read of a set of 1 and of 8
 * software events (one read() of PERF_FORMAT_GROUP for the 8), against a C
 * program compiled on the spot that opens the same events the same way and
 * does the same read() calls, run in the same benchmark run. Software events
 * so that it runs with or without a PMU. Figures are medians of several
 * rounds; no assertion — numbers only. The C program reads exactly what
 * EventSet reads (PERF_FORMAT_GROUP | TOTAL_TIME_* | LOST where the set takes
 * the group path), and C and JS rounds alternate so that both see the same
 * load on a shared machine; the ratio is the median of per-round ratios.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventSet } from '../src/shim/event-set';
import type { BenchResult } from './result';
import { compileC, median } from './c-program';
import { runUserReadBench } from './user-read.bench';

/** The software events of the 8-event set (perf_sw_ids), the first alone for the 1-event set. */
const EVENTS: readonly { name: string; config: number }[] = [
  { name: 'task-clock', config: 1 }, { name: 'cpu-clock', config: 0 }, { name: 'page-faults', config: 2 },
  { name: 'context-switches', config: 3 }, { name: 'cpu-migrations', config: 4 }, { name: 'minor-faults', config: 5 },
  { name: 'major-faults', config: 6 }, { name: 'alignment-faults', config: 7 },
];

/** The C program: open n software events as EventSet does, then time rounds of read() (`n iters rounds group`). */
export const EVENTSET_READ_C = `
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
static const unsigned long long configs[8] = { 1, 0, 2, 3, 4, 5, 6, 7 };
int main(int argc, char **argv) {
  int n = atoi(argv[1]), iters = atoi(argv[2]), rounds = atoi(argv[3]), group = atoi(argv[4]);
  int fds[8];
  unsigned long long buf[3 + 2 * 8];
  for (int i = 0; i < n; i++) {
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a; a.type = PERF_TYPE_SOFTWARE; a.config = configs[i];
    a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_LOST | (group ? PERF_FORMAT_GROUP : 0);
    a.disabled = i == 0;
    fds[i] = (int)syscall(__NR_perf_event_open, &a, 0, -1, i == 0 ? -1 : fds[0], PERF_FLAG_FD_CLOEXEC);
    if (fds[i] < 0) { perror("perf_event_open"); return 1; }
  }
  ioctl(fds[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
  size_t len = group ? 8 * (3 + 2 * n) : 8 * 4;
  volatile unsigned long long sink = 0;
  for (int r = 0; r < rounds; r++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < iters; i++) {
      if (read(fds[0], buf, len) != (ssize_t)len) { perror("read"); return 1; }
      sink += buf[group ? 3 : 0];
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.2f\\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / iters);
  }
  return 0;
}
`;

interface OpenSet {
  set: EventSet;
  out: Float64Array;
}

function openSet(n: number): OpenSet {
  const set = new EventSet();
  for (const e of EVENTS.slice(0, n)) set.add({ type: 1, config: e.config, name: e.name });
  set.start();
  const out = new Float64Array(n);
  for (let i = 0; i < 50_000; i++) set.read(out); // warm up the JIT
  return { set, out };
}

/** ns per EventSet.read() over `iters` reads. */
function jsRound(s: OpenSet, iters: number): number {
  const { set, out } = s;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) set.read(out);
  return Number(process.hrtime.bigint() - t0) / iters;
}

/** ns per read() of the compiled EVENTSET_READ_C, `n` events, one round of `iters`. */
export function cRound(bin: string, n: number, iters: number, group: boolean): number {
  return Number(execFileSync(bin, [String(n), String(iters), '1', group ? '1' : '0'], { encoding: 'utf8' }).trim());
}

export async function runEventSetBench(opts: { iters?: number; rounds?: number } = {}): Promise<BenchResult[]> {
  const iters = opts.iters ?? 100_000;
  const rounds = opts.rounds ?? 9;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-bench-'));
  const one = openSet(1);
  const eight = openSet(8);
  try {
    const bin = compileC(dir, 'eventset-read', EVENTSET_READ_C);
    const group1 = one.set.readPath === 'group';
    const group8 = eight.set.readPath === 'group';
    const js1: number[] = []; const js8: number[] = []; const c1: number[] = []; const c8: number[] = [];
    const r1: number[] = []; const r8: number[] = []; const rg: number[] = [];
    for (let r = 0; r < rounds; r++) {
      if (bin) c1.push(cRound(bin, 1, iters, group1));
      js1.push(jsRound(one, iters));
      if (bin) c8.push(cRound(bin, 8, iters, group8));
      js8.push(jsRound(eight, iters));
      if (bin) { r1.push(js1[r]! / c1[r]!); r8.push(js8[r]! / c8[r]!); }
      rg.push(js8[r]! / (2 * js1[r]!));
    }
    const v1 = median(js1);
    const v8 = median(js8);
    const noC = { note: 'no C compiler here: no baseline' };
    return [
      { name: 'EventSet.read() 1 event vs C read()', value: v1, unit: 'ns/read',
        ...(bin ? { baseline: median(c1), ratio: median(r1), note: `goal ≤ 1.15× C (issue 18; koffi's own read() call is the floor: bench koffi); read path ${one.set.readPath}` } : noC) },
      { name: 'EventSet.read() 8 events vs C read()', value: v8, unit: 'ns/read',
        ...(bin ? { baseline: median(c8), ratio: median(r8), note: `read path ${eight.set.readPath}` } : noC) },
      { name: 'EventSet.read() 8 events vs 2 single-event reads', value: v8, unit: 'ns/read', baseline: 2 * v1, ratio: median(rg),
        note: 'target < 1: a group read of 8 costs less than 2 single reads' },
      ...(await runUserReadBench()),
    ];
  } finally {
    one.set.close();
    eight.set.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

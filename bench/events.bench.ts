/**
 * Event-name resolution benchmark. Figures, each as a ratio against a baseline
 * measured in the same run:
 *  - resolveEvent of a generic, a sysfs and a tracepoint name against one
 *    perf_event_open + close of task-clock done by a C program compiled here
 *    (what resolving costs next to the open it precedes);
 *  - parseEventList of 1,000 events per event against 100 events per event
 *    (≈1 means the parser's work is linear in the list).
 * No assertion: numbers only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveEvent, parseEventList } from '../src/events';
import { findTracefs } from '../src/env/tracefs';
import { readPmuFiles } from '../src/env/pmus';
import type { BenchResult } from './result';
import { compileC, median, openCloseNs, OPEN_CLOSE_C } from './c-program';

function nsPer(fn: () => unknown, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / n;
}

export async function runEventsBench(rounds = 5): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-events-bench-'));
  try {
    const bin = compileC(dir, 'open-close', OPEN_CLOSE_C);
    const names = ['task-clock', 'L1-dcache-load-misses:u'];
    if (readPmuFiles('msr')?.aliases.tsc) names.push('msr/tsc/');
    if (findTracefs().ok) names.push('sched:sched_switch');
    const iters = 2000;
    const openNs: number[] = [];
    const perName = new Map<string, number[]>(names.map((n) => [n, []]));
    const linear: number[] = [];
    const list100 = Array.from({ length: 100 }, (_, i) => (i % 2 ? 'cs:u' : '{faults,cpu-clock}')).join(',');
    const list1000 = Array.from({ length: 1000 }, (_, i) => (i % 2 ? 'cs:u' : '{faults,cpu-clock}')).join(',');
    for (const n of names) resolveEvent(n); // warm the PMU-file cache and the JIT
    for (let r = 0; r < rounds; r++) {
      // Alternate baseline and measured work so both see the same machine load.
      if (bin) openNs.push(openCloseNs(bin, iters, 1, 1) / iters); // software task-clock
      for (const n of names) perName.get(n)!.push(nsPer(() => resolveEvent(n), iters));
      const small = nsPer(() => parseEventList(list100), 50) / 100;
      const big = nsPer(() => parseEventList(list1000), 5) / 1000;
      linear.push(big / small);
    }
    const base = bin ? median(openNs) : undefined;
    const out: BenchResult[] = names.map((n) => {
      const v = median(perName.get(n)!);
      return base !== undefined
        ? { name: `resolveEvent('${n}') vs C open+close`, value: Math.round(v), unit: 'ns', baseline: Math.round(base), ratio: Number((v / base).toFixed(2)) }
        : { name: `resolveEvent('${n}')`, value: Math.round(v), unit: 'ns', note: 'no C compiler here: no baseline' };
    });
    out.push({ name: 'parseEventList per event: 1,000 vs 100 events', value: Number(median(linear).toFixed(2)), unit: '×', baseline: 1, ratio: Number(median(linear).toFixed(2)), note: '≈1: linear in the list' });
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

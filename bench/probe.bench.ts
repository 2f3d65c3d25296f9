/**
 * Probe benchmark: a cold full probe, a probe served from the disk cache and
 * one served from memory, each printed as a ratio against a baseline measured
 * in the same run — a C program compiled on the spot that does the same number
 * of perf_event_open + close calls of a software event (and, for the
 * tracepoint probe, of the same tracepoint). No assertion: numbers only.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readEnvironment } from '../src/env/environment';
import { readTracepointId } from '../src/env/tracefs';
import { feature, forgetCapabilities, getCapabilities } from '../src/probe/capabilities';
import '../src/root';
import { realKernel } from '../src/sys/real-kernel';
import type { Kernel } from '../src/sys/kernel';
import type { BenchResult } from './result';
import { compileC, median, openCloseNs, OPEN_CLOSE_C } from './c-program';
import { closesSettled } from '../src/open/scope';
import { loadLibc } from '../src/sys/libc';
import { archAbi } from '../src/abi/ioctl';
import { PERF_TYPE } from '../src/abi/constants';

function baselineMs(bin: string | null, n: number, type: number, config: number): number | undefined {
  if (bin === null || n === 0) return undefined;
  const runs = [0, 1, 2].map(() => openCloseNs(bin, n, type, config) / 1e6);
  return median(runs);
}

/** One perf_event_open call as the probe made it, and the fd it got. */
interface RecordedOpen { attr: Uint8Array; pid: number; cpu: number; groupFd: number; flags: number; fd: number | undefined }

/** A kernel that counts perf_event_open calls and records them (a copy of the bytes as sent). */
function countingKernel(k: Kernel): { kernel: Kernel; opens: () => number; recorded: RecordedOpen[] } {
  let opens = 0;
  const recorded: RecordedOpen[] = [];
  const kernel = Object.create(k) as Kernel;
  kernel.perfEventOpen = (...a: Parameters<Kernel['perfEventOpen']>) => {
    opens++;
    const [attr, pid, cpu, groupFd, flags] = a;
    const sent = new Uint8Array(attr);
    const r = k.perfEventOpen(...a);
    recorded.push({ attr: sent, pid, cpu, groupFd, flags, fd: 'fd' in r ? r.fd : undefined });
    return r;
  };
  return { kernel, opens: () => opens, recorded };
}

/** `replay FILE RUNS`: the recorded opens of FILE (see writeReplay) replayed RUNS times; prints each run's ns. */
const REPLAY_C = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
struct rec { int len, pid, cpu, group, flags; unsigned char *attr; };
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 2;
  int n = 0, runs = atoi(argv[2]);
  if (fread(&n, 4, 1, f) != 1) return 2;
  struct rec *r = calloc(n, sizeof *r);
  int *fds = calloc(n, sizeof *fds);
  unsigned char buf[4096];
  for (int i = 0; i < n; i++) {
    if (fread(&r[i], 4, 5, f) != 5 || r[i].len > 4096) return 2;
    r[i].attr = malloc(r[i].len);
    if (fread(r[i].attr, 1, r[i].len, f) != (size_t)r[i].len) return 2;
  }
  for (int k = 0; k < runs; k++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
      memcpy(buf, r[i].attr, r[i].len);
      int g = r[i].group >= 0 ? fds[r[i].group] : -1;
      fds[i] = (int)syscall(__NR_perf_event_open, buf, r[i].pid, r[i].cpu, g, (unsigned long)r[i].flags);
    }
    for (int i = n - 1; i >= 0; i--) if (fds[i] >= 0) close(fds[i]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.0f\\n", (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec));
  }
  return 0;
}
`;

/** Tracepoints aside (their close waits for RCU), the opens a replay makes. */
function replayable(opens: readonly RecordedOpen[]): RecordedOpen[] {
  return opens.filter((o) => ((o.attr[0]! | (o.attr[1]! << 8)) >>> 0) !== PERF_TYPE.TRACEPOINT);
}

/** Writes `opens` for REPLAY_C: a count, then per open len, pid, cpu, group (index of the open whose fd it names, or -1), flags, bytes. */
function writeReplay(file: string, opens: readonly RecordedOpen[]): void {
  const parts: Buffer[] = [Buffer.from(Int32Array.of(opens.length).buffer)];
  opens.forEach((o) => {
    const group = o.groupFd >= 0 ? opens.findIndex((p) => p.fd === o.groupFd) : -1;
    parts.push(Buffer.from(Int32Array.of(o.attr.byteLength, o.pid, o.cpu, group, o.flags).buffer), Buffer.from(o.attr));
  });
  fs.writeFileSync(file, Buffer.concat(parts));
}

/** Median ms of the C replay of `opens` (9 runs after a warm-up); undefined without a compiler. */
function cReplayMs(dir: string, opens: readonly RecordedOpen[]): number | undefined {
  const bin = compileC(dir, 'replay', REPLAY_C);
  if (bin === null) return undefined;
  const file = path.join(dir, 'opens.bin');
  writeReplay(file, opens);
  const out = spawnSync(bin, [file, '10'], { encoding: 'utf8' });
  if (out.status !== 0) return undefined;
  const ns = out.stdout.trim().split('\n').slice(1).map(Number);
  return median(ns) / 1e6;
}

/**
 * The floor under the cold probe: its own opens (tracepoints left out: their
 * close waits for RCU) replayed straight through the libc binding, no checks,
 * no result objects, the fds closed at the end. Median ms of 9 replays, or
 * undefined where the binding is not the direct one.
 */
function replayMs(opens: readonly RecordedOpen[]): number | undefined {
  const c = loadLibc(process.arch);
  if (!c.direct) return undefined;
  const nr = archAbi(process.arch).nrPerfEventOpen;
  const calls = replayable(opens);
  const runs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const fds: number[] = [];
    const mapped = new Map<number, number>();
    const t0 = performance.now();
    for (const o of calls) {
      const fd = Number(c.syscallOpen(nr, new Uint8Array(o.attr), o.pid, o.cpu, o.groupFd >= 0 ? (mapped.get(o.groupFd) ?? o.groupFd) : o.groupFd, o.flags));
      if (fd >= 0) { fds.push(fd); if (o.fd !== undefined) mapped.set(o.fd, fd); }
    }
    for (const fd of fds) c.close(fd);
    if (i > 0) runs.push(performance.now() - t0);
  }
  return median(runs);
}

function ratio(value: number, baseline: number | undefined): Pick<BenchResult, 'baseline' | 'ratio'> {
  return baseline === undefined ? {} : { baseline: round(baseline), ratio: round(value / baseline) };
}

/** Median wall ms of a fresh `node -e script`, five runs after one warm-up. */
function nodeWallMs(script: string): number {
  const runs: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`bench: node -e failed (${r.status}): ${r.stderr.slice(0, 500)}`);
    if (i > 0) runs.push(ms);
  }
  return median(runs);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export async function runProbeBench(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-bench-'));
  try {
    const bin = compileC(dir, 'open-close', OPEN_CLOSE_C);
    const env = readEnvironment();
    const cacheDir = path.join(dir, 'cache');

    // Cold: a fresh probe each time, through a kernel that counts the opens.
    const real = realKernel();
    const cold: number[] = [];
    let opens = 0;
    let recorded: RecordedOpen[] = [];
    for (let i = 0; i < 5; i++) {
      const c = countingKernel(real);
      const t0 = performance.now();
      getCapabilities({ kernel: c.kernel, environment: env, cache: false, refresh: true });
      cold.push(performance.now() - t0);
      opens = c.opens();
      recorded = c.recorded;
      await closesSettled();
    }
    const floorMs = replayMs(recorded);
    const cFloorMs = cReplayMs(dir, replayable(recorded));
    // The tracepoint probe alone: kernel time to register and unregister a tracepoint.
    const tpRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c = countingKernel(real);
      feature('attr.size', { kernel: c.kernel, environment: env, cache: false, refresh: true });
      const t0 = performance.now();
      feature('event.tracepoint', { kernel: c.kernel, environment: env, cache: false });
      tpRuns.push(performance.now() - t0);
      // Its fd's close (an RCU grace period) runs off the thread: let it finish before the next run.
      await closesSettled();
    }
    const tracepointMs = median(tpRuns);

    // Cached: written once, then read back from disk (memory forgotten each time).
    getCapabilities({ environment: env, cache: { dir: cacheDir }, refresh: true });
    const disk: number[] = [];
    for (let i = 0; i < 20; i++) {
      forgetCapabilities();
      const t0 = performance.now();
      const m = getCapabilities({ environment: env, cache: { dir: cacheDir } });
      disk.push(performance.now() - t0);
      if (m.source !== 'cache') throw new Error('bench: the cached probe was not served from the cache');
    }
    const mem: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const t0 = performance.now();
      getCapabilities({ environment: env, cache: { dir: cacheDir } });
      mem.push(performance.now() - t0);
    }

    // A second start for real: a fresh process requires the package and is served
    // from the disk cache. Baseline: Node starting and doing nothing.
    const entry = path.join(__dirname, '..', 'src', 'index.js');
    const startMs = nodeWallMs(`const m = require(${JSON.stringify(entry)}).getCapabilities({ cache: { dir: ${JSON.stringify(cacheDir)} } }); if (m.source !== 'cache') process.exit(1);`);
    const nodeMs = nodeWallMs('0');

    const swBaseline = baselineMs(bin, opens, 1, 0);
    const tpId = env.tracefs !== null ? readTracepointId(env.tracefs, 'sched', 'sched_switch') : null;
    const tp = tpId !== null && 'id' in tpId ? tpId.id : null;
    const tpBaseline = tp !== null ? baselineMs(bin, 1, 2, tp) : undefined;
    const coldMs = median(cold);
    const diskMs = median(disk);
    const memMs = median(mem);
    const note = bin === null ? 'no C compiler: no baseline' : undefined;
    return [
      { name: 'probe: cold full probe', value: round(coldMs), unit: 'ms', ...ratio(coldMs, swBaseline),
        note: note ?? `baseline: C doing the same ${opens} perf_event_open+close of software/cpu-clock` },
      { name: 'probe: cold full probe without the tracepoint probe', value: round(coldMs - tracepointMs), unit: 'ms', ...ratio(coldMs - tracepointMs, swBaseline),
        note: note ?? 'the tracepoint probe costs kernel time (tracepoint registration and RCU sync on close)' },
      ...(floorMs !== undefined ? [{ name: 'probe: its own opens replayed through the libc binding', value: round(floorMs), unit: 'ms', ...ratio(floorMs, swBaseline),
        note: note ?? 'the floor under the cold probe: the same calls (tracepoints aside) with no checks, scope or classification; against the same C baseline' } as BenchResult] : []),
      ...(cFloorMs !== undefined ? [{ name: 'probe: cold full probe against C replaying its opens', value: round(coldMs), unit: 'ms', ...ratio(coldMs, cFloorMs),
        note: `baseline: C making the probe's own ${replayable(recorded).length} perf_event_open calls (tracepoints aside; same bytes, pid, cpu, group, flags) and closing them` } as BenchResult] : []),
      { name: 'probe: event.tracepoint alone', value: round(tracepointMs), unit: 'ms', ...ratio(tracepointMs, tpBaseline),
        note: note ?? 'baseline: C opening and closing sched:sched_switch once (its close waits for an RCU grace period; the probe\'s close runs off the thread)' },
      { name: 'probe: served from the disk cache', value: round(diskMs), unit: 'ms', ...ratio(diskMs, swBaseline), note: note ?? 'same baseline as the cold probe' },
      { name: 'probe: a fresh process, require + cached map', value: round(startMs), unit: 'ms', baseline: round(nodeMs), ratio: round(startMs / nodeMs),
        note: `baseline: node -e 0 (Node's own start-up); the difference, ${round(startMs - nodeMs)} ms, is loading the package and reading the cache` },
      { name: 'probe: served from memory', value: round(memMs * 1000), unit: 'µs', ...(swBaseline !== undefined ? { baseline: round(swBaseline * 1000), ratio: round(memMs / swBaseline) } : {}), note: note ?? 'same baseline as the cold probe' },
    ];
  } finally {
    forgetCapabilities();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Start-up benchmark: whole processes, each run in turn with its baseline
 * (A B A B …, so that a machine that speeds up or slows down mid-run shifts
 * both), the median of the pairwise differences and ratios printed. Baseline
 * `node -e 0` (Node's own start-up) for everything, and `perf stat` counting
 * the same command for `probe stat` where perf is installed. The map is cached
 * once in a temporary XDG_CACHE_HOME first, so every measured run is a cache
 * hit. No assertion: numbers only.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchResult } from './result';
import { median } from './c-program';

const ROOT = path.join(__dirname, '..', '..');
const PROBE = path.join(ROOT, 'bin', 'probe.js');
const ENTRY = path.join(ROOT, 'dist', 'src', 'index.js');
const RUNS = 7;

interface Cmd { file: string; args: string[] }

/** Wall ms of one whole process (its output discarded). */
function wallMs(c: Cmd, env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(c.file, c.args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`bench: ${c.file} ${c.args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 300)}`);
  return ms;
}

/** A and B in turn after one warm-up each: medians of A, of B, of A−B and of A/B. */
function pair(a: Cmd, b: Cmd, env: NodeJS.ProcessEnv): { a: number; b: number; diff: number; ratio: number } {
  wallMs(a, env);
  wallMs(b, env);
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    as.push(wallMs(a, env));
    bs.push(wallMs(b, env));
  }
  return { a: median(as), b: median(bs), diff: median(as.map((x, i) => x - bs[i]!)), ratio: median(as.map((x, i) => x / bs[i]!)) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function hasPerf(env: NodeJS.ProcessEnv): boolean {
  const r = spawnSync('perf', ['stat', '-e', 'task-clock', '--', 'true'], { env, stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

export async function runStartupBench(): Promise<BenchResult[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-bench-startup-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: home, NO_COLOR: '1' };
    delete env.DEBUG;
    const node = process.execPath;
    const nodeNothing: Cmd = { file: node, args: ['-e', '0'] };
    // The cache first: every measured run below is served from it.
    wallMs({ file: node, args: [PROBE, '--json'] }, env);
    const out: BenchResult[] = [];
    const vsNode = (name: string, c: Cmd): void => {
      const p = pair(c, nodeNothing, env);
      out.push({ name, value: round(p.a), unit: 'ms', baseline: round(p.b), ratio: round(p.ratio),
        note: `baseline: node -e 0 in the same run; difference ${p.diff.toFixed(1)} ms (median of ${RUNS} pairs)` });
    };
    vsNode('start-up: require + getCapabilities (cached)', { file: node, args: ['-e', `require(${JSON.stringify(ENTRY)}).getCapabilities()`] });
    vsNode('start-up: require only', { file: node, args: ['-e', `require(${JSON.stringify(ENTRY)})`] });
    vsNode('start-up: probe --json (cached)', { file: node, args: [PROBE, '--json'] });
    vsNode('start-up: probe --help', { file: node, args: [PROBE, '--help'] });
    const stat: Cmd = { file: node, args: [PROBE, 'stat', '-e', 'task-clock,page-faults', '--', 'true'] };
    vsNode('start-up: probe stat -e task-clock,page-faults', stat);
    if (hasPerf(env)) {
      const p = pair(stat, { file: 'perf', args: ['stat', '-e', 'task-clock,page-faults', '--', 'true'] }, env);
      out.push({ name: 'start-up: probe stat vs perf stat', value: round(p.a), unit: 'ms', baseline: round(p.b), ratio: round(p.ratio),
        note: `baseline: perf stat -e task-clock,page-faults -- true in the same run; difference ${p.diff.toFixed(1)} ms` });
    }
    return out;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/**
 * `npm run bench`: every benchmark, each printed as a ratio against a baseline
 * measured in the same run (C programs compiled on the spot). Pass names to
 * run only some: `node dist/bench/run.js probe eventset`. `--runs N` runs each
 * benchmark N times and prints, per figure, the median of its N values, of
 * its N baselines and of its N ratios (each ratio is still taken within one run).
 */
import type { BenchResult } from './result';
import { runProbeBench } from './probe.bench';
import { runEventSetBench } from './eventset.bench';
import { runSamplingBench } from './sampling.bench';
import { runEventsBench } from './events.bench';
import { runStartupBench } from './startup.bench';
import { runKoffiReadBench } from './koffi-read.bench';

const BENCHES: Record<string, () => Promise<BenchResult[]>> = {
  probe: () => runProbeBench(),
  eventset: () => runEventSetBench(),
  sampling: () => runSamplingBench(),
  events: () => runEventsBench(),
  startup: () => runStartupBench(),
  koffi: () => runKoffiReadBench(),
};

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Per figure name, the median of value, baseline and ratio over runs (notes of the last run). */
export function medianResults(runs: readonly (readonly BenchResult[])[]): BenchResult[] {
  const names = [...new Set(runs.flatMap((r) => r.map((x) => x.name)))];
  return names.map((name) => {
    const all = runs.map((r) => r.find((x) => x.name === name)).filter((x): x is BenchResult => x !== undefined);
    const last = all[all.length - 1]!;
    const out: BenchResult = { ...last, value: median(all.map((x) => x.value)) };
    const bases = all.map((x) => x.baseline).filter((x): x is number => x !== undefined);
    const ratios = all.map((x) => x.ratio).filter((x): x is number => x !== undefined);
    if (bases.length > 0) out.baseline = median(bases);
    if (ratios.length > 0) out.ratio = median(ratios);
    if (all.length > 1) out.note = [`median of ${all.length} runs; ratios ${ratios.map((r) => r.toFixed(2)).join(' ')}`, last.note].filter(Boolean).join('; ');
    return out;
  });
}

/** `--runs N` (1..50) out of argv; the rest are benchmark names. */
function parseArgs(argv: readonly string[]): { runs: number; names: string[] } | string {
  const names: string[] = [];
  let runs = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--runs(?:=(.*))?$/.exec(a);
    if (!m) { names.push(a); continue; }
    const v = m[1] ?? argv[++i];
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 50) return `bench: --runs ${v ?? '(missing)'}: expected an integer 1..50`;
    runs = n;
  }
  return { runs, names };
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') { process.stderr.write(`${args}\n`); return 2; }
  const wanted = args.names.length > 0 ? args.names : Object.keys(BENCHES);
  const unknown = wanted.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; valid: ${Object.keys(BENCHES).join(', ')}\n`);
    return 2;
  }
  for (const name of wanted) {
    process.stdout.write(`\n## ${name}${args.runs > 1 ? ` (median of ${args.runs} runs)` : ''}\n`);
    const runs: BenchResult[][] = [];
    for (let i = 0; i < args.runs; i++) runs.push(await BENCHES[name]!());
    const results = args.runs > 1 ? medianResults(runs) : runs[0]!;
    for (const r of results) {
      const base = r.baseline !== undefined ? `  baseline ${fmt(r.baseline)} ${r.unit}` : '';
      const ratio = r.ratio !== undefined ? `  ratio ${r.ratio.toFixed(2)}×` : '';
      process.stdout.write(`${r.name.padEnd(44)} ${fmt(r.value).padStart(10)} ${r.unit}${base}${ratio}${r.note ? `  (${r.note})` : ''}\n`);
    }
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

/**
 * `npm run bench`: every benchmark, each printed as a ratio against a baseline
 * measured in the same run (C programs compiled on the spot). Pass names to
 * run only some: `node dist/bench/run.js probe eventset`.
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

async function main(argv: string[]): Promise<number> {
  const wanted = argv.length > 0 ? argv : Object.keys(BENCHES);
  const unknown = wanted.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; valid: ${Object.keys(BENCHES).join(', ')}\n`);
    return 2;
  }
  for (const name of wanted) {
    process.stdout.write(`\n## ${name}\n`);
    const results = await BENCHES[name]!();
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

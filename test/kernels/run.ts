/**
 * Run the kernel matrix by hand, for the default kernels or any kernel package:
 *
 *   node dist/test/kernels/run.js                       # bullseye bookworm trixie sid
 *   node dist/test/kernels/run.js bookworm:linux-image-6.1.0-30-cloud-amd64
 *   node dist/test/kernels/run.js trixie sid:linux-image-cloud-amd64=7.2.13-1
 *
 * Writes the report (test/kernels/REPORT.md for the default matrix, else
 * test/kernels/.cache/REPORT.md, or PERFCOMPAT_KERNELS_REPORT) and exits 1
 * when a kernel failed to boot, gave no map, or disagreed with its header.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SPECS, harnessPaths, kernelSpecs } from './config';
import { killAll } from './qemu';
import { runMatrix, type MatrixResult } from './matrix';
import { renderReport } from './report';
import { abiFeature } from '../../src/abi/features';

export function kindOf(id: string): string | undefined {
  return abiFeature(id)?.kind;
}

/** REPORT.md is committed for the default matrix only; other runs write next to the cache. */
export function reportPath(specTexts: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const p = harnessPaths(undefined, env);
  if (env.PERFCOMPAT_KERNELS_REPORT) return p.report;
  const isDefault = specTexts.length === DEFAULT_SPECS.length && specTexts.every((s, i) => s === DEFAULT_SPECS[i]);
  return isDefault ? p.report : path.join(p.cache, 'REPORT.md');
}

export function writeReport(r: MatrixResult, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderReport(r));
}

/** Problems that make a run fail (the test asserts the same things). */
export function problems(r: MatrixResult): string[] {
  const out: string[] = [];
  for (const k of r.kernels) {
    for (const e of k.errors) out.push(`${k.spec.text}: ${e.split('\n')[0]}`);
    for (const who of ['root', 'user'] as const) {
      for (const v of k.check?.[who]?.violations ?? []) out.push(`${k.spec.text} ${who}: ${v.id}: ${v.detail}`);
    }
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`usage: node dist/test/kernels/run.js [suite[:package[=version]] ...]\n(default: ${DEFAULT_SPECS.join(' ')}; also PERFCOMPAT_KERNELS)\n`);
    return 0;
  }
  const specs = kernelSpecs(argv);
  const r = await runMatrix({ specs, kindOf, log: (m) => process.stderr.write(`${m}\n`) });
  if (r.skipped) { process.stdout.write(`${r.skipped}\n`); return 0; }
  const file = reportPath(specs.map((s) => s.text));
  writeReport(r, file);
  for (const k of r.kernels) {
    const size = k.root?.features['attr.size']?.value;
    process.stdout.write(`${k.spec.text.padEnd(12)} ${(k.guest?.release ?? '?').padEnd(28)} attr.size ${String(size ?? '?').padEnd(4)} boot→poweroff ${k.boot?.seconds.toFixed(1) ?? '?'} s\n`);
  }
  for (const d of r.diffs) {
    process.stdout.write(`${d.from} → ${d.to}: appeared ${d.appeared.join(' ') || '-'}; vanished ${d.vanished.join(' ') || '-'}\n`);
  }
  process.stdout.write(`total ${r.totalSeconds.toFixed(0)} s; report: ${path.relative(process.cwd(), file)}\n`);
  const bad = problems(r);
  for (const b of bad) process.stdout.write(`FAIL ${b}\n`);
  return bad.length ? 1 : 0;
}

if (require.main === module) {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { killAll(); process.exit(130); });
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: Error) => {
    killAll();
    process.stderr.write(`kernel matrix: ${e.message}\n`);
    process.exitCode = 1;
  });
}

/**
 * A mitata benchmark in a guest (issue 17): a consumer project laid out as npm
 * installs `"@mitata/counters": "npm:@perfcompat/mitata-counters@^0.1"` beside
 * mitata and perfcompat — node_modules/@mitata/counters holds the workspace
 * package's files, node_modules/mitata the installed mitata, node_modules/perfcompat
 * links to the build in the guest — and guest/mitata-bench.mjs in it, which runs
 * mitata's own run(). Here: staging it into the initramfs, the guest command,
 * and the shape of what the script prints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { GuestCommand } from './initramfs';

/** The consumer project's folder under the guest's app folder. */
export const MITATA_DIR = 'mitata';
export const MITATA_SECTION = 'root.mitata';

const DROP_IN = path.join('packages', 'mitata-counters');

/** The folder of the mitata the workspace package resolves (its devDependency). */
export function mitataPackage(root: string): string {
  return path.dirname(createRequire(path.join(root, DROP_IN, 'package.json')).resolve('mitata/package.json'));
}

/** Lay out the consumer project in app (the staged GUEST_APP); perfcompat is a link to app itself. */
export function stageMitata(root: string, app: string): void {
  const dir = path.join(app, MITATA_DIR);
  const nm = path.join(dir, 'node_modules');
  const dropIn = path.join(nm, '@mitata', 'counters');
  fs.mkdirSync(dropIn, { recursive: true });
  fs.cpSync(path.join(root, DROP_IN, 'package.json'), path.join(dropIn, 'package.json'));
  fs.cpSync(path.join(root, DROP_IN, 'src'), path.join(dropIn, 'src'), { recursive: true, dereference: true });
  fs.cpSync(mitataPackage(root), path.join(nm, 'mitata'), { recursive: true, dereference: true });
  fs.symlinkSync(path.relative(nm, app), path.join(nm, 'perfcompat'));
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'perfcompat-guest-mitata', private: true, type: 'module' })}\n`);
  fs.cpSync(path.join(root, 'test', 'kernels', 'guest', 'mitata-bench.mjs'), path.join(dir, 'bench.mjs'));
}

/**
 * With --expose-gc, as mitata's readme asks: without a gc() mitata falls back to
 * allocating a 1 GiB buffer between samples, which a 1 GiB guest cannot.
 */
export function mitataCommand(t: number): GuestCommand {
  // Node 20.19 on arm64 under qemu 7.2 TCG aborted in V8 itself in mitata's
  // gc-heavy loop ("Check failed: index < length" in FeedbackMetadata::SetKind from
  // LoadIC_Miss, SIGTRAP; seen with and without perfcompat's changes) while the
  // emulated CPU had SVE and SME; the guests now boot without them (qemu.ts
  // ARM64_CPU). Should it happen again, a run that dies by a signal is run again,
  // up to MITATA_RUNS in all; each crash goes to stderr as MITATA_CRASHED, and when
  // every run crashed, MITATA_ALL_CRASHED says so.
  const run = `node --expose-gc ${MITATA_DIR}/bench.mjs`;
  const script = [
    'i=1',
    `while [ $i -le ${MITATA_RUNS} ]; do`,
    `  ${run} > /tmp/mitata.out 2> /tmp/mitata.err; rc=$?`,
    '  if [ $rc -lt 128 ]; then cat /tmp/mitata.out; cat /tmp/mitata.err >&2; exit $rc; fi',
    `  echo "${MITATA_CRASHED} run $i status $rc: $(grep -m1 -E 'Check failed|Fatal|Segmentation' /tmp/mitata.err)" >&2`,
    '  i=$((i+1))',
    'done',
    `echo "${MITATA_ALL_CRASHED} ${MITATA_RUNS} runs: $(grep -m1 -E 'Check failed|Segmentation' /tmp/mitata.err)" >&2`,
    'exit $rc',
  ].join('\n');
  return { name: MITATA_SECTION, user: 'root', argv: ['sh', '-c', script], timeoutSec: t };
}

/** Runs of the mitata bench at most, while node dies by a signal. */
export const MITATA_RUNS = 4;

/** The marker of a run that died by a signal (see mitataCommand). */
export const MITATA_CRASHED = 'perfcompat guest: mitata died by a signal:';
/** The marker of every run having died by a signal: node itself could not run the benchmark here. */
export const MITATA_ALL_CRASHED = 'perfcompat guest: node died by a signal in every mitata run:';

interface ErrorInfo { name?: string; code?: string; message: string }
type Availability = { ok: boolean; reason?: string; events: Record<string, { ok: boolean; name?: string; reason?: string }> };
type Stat = { min: number; max: number; mean: number; total: number };
type CyclesRun = { events: Record<string, { rounds: number; uncountedRounds: number; raw: Stat; perIteration: Stat; standInFor?: string }>; missing: Record<string, unknown>; rounds: number } | { error: ErrorInfo };

/** What guest/mitata-bench.mjs prints. */
export interface MitataRun {
  name: string;
  needed: string[];
  lines: string[];
  runs: { name: string; error?: string; hasCounters: boolean | null; samples: number | null }[];
  here: Availability;
  cyclesHere: Availability;
  initError: ErrorInfo | null;
  translated: unknown;
  cycles: { x1: CyclesRun; x10: CyclesRun } | null;
}

/** mitata's counter lines: ipc, cycles/instructions, branch misses, cache misses. */
export function counterLines(lines: readonly string[]): string[] {
  return lines.filter((l) => /\bipc\b|branch misses|\bcycles\b|c-misses/.test(l));
}

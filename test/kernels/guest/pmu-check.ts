/**
 * Run inside a kernel-matrix guest (as root): what the kernel says about its
 * hardware PMU (sysfs, its boot message), then what perfcompat's public API
 * does with it: cycles counted on growing work, EventSets of 1…10 cycles
 * events (one set per size, and the same number of separate counters),
 * multiplexing and scaling against a lone counter measured on the same work,
 * and a Sampler on cycles. Prints one JSON object; the host-side tests judge it.
 */
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { EventSet, Sampler, openEvent } from '../../../src/index';

const SYSFS = '/sys/bus/event_source/devices';

function readText(p: string): string | null {
  try { return fs.readFileSync(p, 'utf8').trim(); } catch { return null; }
}

function listDir(p: string): string[] {
  try { return fs.readdirSync(p).sort(); } catch { return []; }
}

/** The kernel's own answers: every PMU's type, and for the others than the generic ones their format and events. */
function kernelFacts(): Record<string, unknown> {
  const generic = new Set(['software', 'tracepoint', 'breakpoint', 'kprobe', 'uprobe']);
  const pmus = listDir(SYSFS).map((name) => {
    const d = `${SYSFS}/${name}`;
    const pmu: Record<string, unknown> = { name, type: Number(readText(`${d}/type`)) };
    if (!generic.has(name)) {
      pmu.format = Object.fromEntries(listDir(`${d}/format`).map((f) => [f, readText(`${d}/format/${f}`)]));
      pmu.events = listDir(`${d}/events`);
      pmu.cpus = readText(`${d}/cpus`);
    }
    return pmu;
  });
  let dmesg: string[] = [];
  try { dmesg = execFileSync('dmesg', { encoding: 'utf8' }).split('\n').filter((l) => /perfevents|pmu/i.test(l)); } catch { /* no dmesg */ }
  const counters = dmesg.map((l) => /(\d+)\s+\([^)]*\)\s+counters available/.exec(l) ?? /(\d+)\s+counters available/.exec(l)).find(Boolean);
  return {
    pmus, dmesg,
    counters: counters ? Number(counters[1]) : null,
    perfUserAccess: readText('/proc/sys/kernel/perf_user_access'),
    paranoid: readText('/proc/sys/kernel/perf_event_paranoid'),
  };
}

/** Deterministic busy work: n rounds of integer arithmetic. */
function work(n: number): number {
  let x = 1;
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) % 2147483648;
  return x;
}

const UNIT = 2_000_000;
const num = (v: bigint) => Number(v);

function lone(rounds: number): { value: number; timeEnabled: number; timeRunning: number } {
  const ev = openEvent('cycles');
  try {
    ev.reset(); ev.enable(); work(rounds); ev.disable();
    const c = ev.readCount();
    return { value: num(c.value), timeEnabled: num(c.timeEnabled), timeRunning: num(c.timeRunning) };
  } finally { ev.close(); }
}

function attempt<T>(f: () => T): T | { error: string } {
  try { return f(); } catch (e) { return { error: (e as Error).message }; }
}

function eventSet(n: number, rounds: number): unknown {
  const before = lone(rounds);
  const es = new EventSet();
  try {
    for (let i = 0; i < n; i++) es.add('cycles');
    es.start(); work(rounds); es.stop();
    const values = es.readValues().map((v) => ({
      value: num(v.value), timeEnabled: num(v.timeEnabled), timeRunning: num(v.timeRunning), scaled: num(v.scaled),
      multiplexed: v.multiplexed, counted: v.counted, group: v.group, ...(v.substitutedFrom ? { substitutedFrom: v.substitutedFrom } : {}),
    }));
    const after = lone(rounds);
    return { n, size: es.size, groups: es.groups.length, splits: es.splits, readPath: es.readPath, values, lone: [before.value, after.value] };
  } finally { es.close(); }
}

/**
 * n counters opened one by one, each its own fd (no group), all counting the same work,
 * beside a pinned cycles counter (cycles:D) enabled around them all: the kernel keeps a
 * pinned event on the PMU the whole time, so its count is the reference the multiplexed
 * ones' scaled estimates are judged against (lone counters run before and after scatter
 * with the host's load under TCG).
 */
function separate(n: number, rounds: number): unknown {
  const before = lone(rounds);
  const evs = [];
  const ref = openEvent('cycles:D');
  try {
    for (let i = 0; i < n; i++) evs.push(openEvent('cycles'));
    ref.reset(); ref.enable();
    for (const e of evs) { e.reset(); e.enable(); }
    work(rounds);
    for (const e of evs) e.disable();
    ref.disable();
    const values = evs.map((e) => {
      const c = e.readCount();
      return { value: num(c.value), timeEnabled: num(c.timeEnabled), timeRunning: num(c.timeRunning), scaled: num(c.scaled), multiplexed: c.multiplexed };
    });
    const r = ref.readCount();
    const pinned = { value: num(r.value), timeEnabled: num(r.timeEnabled), timeRunning: num(r.timeRunning), pinned: ref.attr.pinned };
    return { n, values, pinned, lone: [before.value, lone(rounds).value] };
  } finally { for (const e of evs) e.close(); ref.close(); }
}

/** Executable mappings of this process, from /proc/self/maps. */
function textRanges(): { lo: bigint; hi: bigint; name: string }[] {
  return (readText('/proc/self/maps') ?? '').split('\n').map((l) => l.split(/\s+/)).filter((f) => f[1]?.includes('x'))
    .map((f) => { const [lo, hi] = f[0]!.split('-'); return { lo: BigInt(`0x${lo}`), hi: BigInt(`0x${hi}`), name: f[5] || '[anon]' }; });
}

function sampler(rounds: number): unknown {
  const s = new Sampler('cycles', { period: 200_000, sampleType: ['ip', 'tid', 'period'], startDisabled: true });
  try {
    s.enable(); work(rounds); s.disable();
    const recs = s.drain();
    const samples = recs.filter((r) => r.kind === 'sample') as { ip?: bigint; pid?: number; period?: bigint; misc: number }[];
    const ranges = textRanges();
    const inText = samples.filter((r) => r.ip !== undefined && ranges.some((m) => r.ip! >= m.lo && r.ip! < m.hi)).length;
    const kernel = samples.filter((r) => r.ip !== undefined && r.ip >= 0xffff000000000000n).length;
    const byMapping: Record<string, number> = {};
    for (const r of samples) {
      const m = ranges.find((x) => r.ip !== undefined && r.ip >= x.lo && r.ip < x.hi);
      const k = m ? m.name.replace(/^.*\//, '') : r.ip !== undefined && r.ip >= 0xffff000000000000n ? '[kernel]' : '[other]';
      byMapping[k] = (byMapping[k] ?? 0) + 1;
    }
    return {
      name: s.name, period: 200_000, records: recs.length, samples: samples.length, lost: num(s.lost),
      ownPid: samples.filter((r) => r.pid === process.pid).length, inText, kernel, byMapping,
      periods: [...new Set(samples.map((r) => String(r.period)))].slice(0, 5),
      exactIp: samples.filter((r) => (r.misc & 0x4000) !== 0).length,
      adaptations: s.adaptations.map((a) => `${a.what}: ${a.why}`),
    };
  } finally { s.close(); }
}

function main(): void {
  const out: Record<string, unknown> = { pid: process.pid, kernel: kernelFacts() };
  out.opens = Object.fromEntries(['cycles', 'instructions', 'stalled-cycles-frontend', 'stalled-cycles-backend'].map((name) => [name, attempt(() => {
    const e = openEvent(name);
    const r = { name: e.name, ...(e.substitutedFrom ? { substitutedFrom: e.substitutedFrom } : {}) };
    e.close();
    return r;
  })]));
  out.work = [1, 2, 4].map((k) => ({ rounds: k * UNIT, ...attempt(() => lone(k * UNIT)) }));
  out.eventSets = Array.from({ length: 10 }, (_, i) => attempt(() => eventSet(i + 1, 2 * UNIT)));
  out.separate = [7, 8, 10].map((n) => attempt(() => separate(n, 2 * UNIT)));
  out.sampler = attempt(() => sampler(4 * UNIT));
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main();

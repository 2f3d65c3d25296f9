/**
 * The tests of the mitata benchmark in a guest (guest/mitata-bench.mjs): mitata's
 * own run() with @perfcompat/mitata-counters installed as @mitata/counters.
 * What is expected follows from what the guest itself can count (canCount in the
 * guest, the provider's cycles), never from a list typed in here.
 */
import { strict as assert } from 'node:assert';
import type { KernelRun } from './matrix';
import { counterLines, type MitataRun } from './mitata';

const say = (s: string) => process.stdout.write(`      ${s.replace(/\n/g, '\n      ')}\n`);

function mitata(ctx: Mocha.Context, r: KernelRun): MitataRun {
  for (const n of r.pmu?.notes ?? []) say(n);
  // node itself aborted in every run (V8 under qemu TCG, before or after our code ran): the benchmark
  // could not be judged here. Pending, saying so — never passed.
  if (r.pmu?.mitataCrashed) { say(r.pmu.mitataCrashed); ctx.skip(); }
  assert.ok(r.pmu?.mitata, `no mitata run from the guest: ${(r.pmu?.errors ?? r.errors).filter((e) => /mitata/.test(e)).join('; ') || 'no output'}`);
  return r.pmu.mitata;
}

export function mitataTests(k: () => KernelRun): void {
  it('mitata\'s run() with the drop-in as @mitata/counters benchmarks, and prints no NaN and no zero counter line', function () {
    const m = mitata(this, k());
    const text = m.lines.join('\n');
    assert.ok(m.lines.some((l) => l.startsWith(m.name)), `the benchmark did not run: ${text}`);
    assert.ok(m.runs.length > 0 && m.runs.every((x) => !x.error && (x.samples ?? 0) > 0), `runs: ${JSON.stringify(m.runs)}`);
    assert.doesNotMatch(text, /NaN/);
    for (const l of counterLines(m.lines)) assert.doesNotMatch(l, /(^|\s)0\.00 (ipc|cycles|instructions|branch misses)/, l);
    say(text);
  });

  it('where a counter mitata\'s formatter needs is not here, init() refuses naming it and mitata prints no counter line; where all are, real ones', function () {
    const m = mitata(this, k());
    const absent = m.needed.filter((n) => !m.here.events[n]?.ok);
    if (absent.length === 0) {
      assert.equal(m.initError, null, `init() threw where every counter counts: ${m.initError?.message}`);
      assert.ok(counterLines(m.lines).length >= 2, `no counter lines where the counters count: ${m.lines.join('\n')}`);
      assert.ok(m.runs.every((x) => x.hasCounters), 'a run without counters');
      return;
    }
    assert.equal(m.here.ok, false);
    assert.ok(m.initError, `init() did not throw, yet ${absent.join(', ')} cannot count here`);
    assert.equal(m.initError.name, 'PerfcompatError');
    assert.equal(m.initError.code, 'ERR_PERF_UNAVAILABLE');
    // The refusal names exactly what does not count here, with the guest's own reasons.
    const tail = m.initError.message.slice(m.initError.message.indexOf('not countable here:'));
    assert.ok(tail.startsWith('not countable here:'), m.initError.message);
    for (const n of absent) assert.ok(tail.includes(m.here.events[n]!.reason ?? `${n}:`), `init() does not give ${n}'s reason: ${m.initError.message}`);
    for (const n of m.needed.filter((x) => !absent.includes(x))) assert.ok(!tail.includes(`${n}: `), `init() names ${n}, which counts here: ${m.initError.message}`);
    assert.deepEqual(counterLines(m.lines), [], 'counter lines printed from a refused init()');
    assert.ok(m.runs.every((x) => x.hasCounters === false), `a run carries counters after a refused init(): ${JSON.stringify(m.runs)}`);
    assert.equal(m.translated, null, 'translate() gave numbers after a refused init()');
    say(`init() refused: ${absent.join(', ')} not countable here`);
  });

  it('where cycles counts in the guest, the same benchmark function gives real cycle counts, more for more work', function () {
    const m = mitata(this, k());
    if (!m.cyclesHere.ok) { assert.equal(m.cycles, null); return; }
    assert.ok(m.cycles, 'cycles counts here, yet was not counted');
    const stat = (x: NonNullable<MitataRun['cycles']>['x1']) => {
      assert.ok(!('error' in x), 'error' in x ? x.error.message : '');
      const e = x.events.cycles;
      assert.ok(e, `no cycles report: missing ${JSON.stringify(x.missing)}`);
      assert.equal(e.standInFor, undefined, 'a stand-in reported as cycles');
      assert.equal(e.rounds, x.rounds, `${e.uncountedRounds} of ${x.rounds} rounds did not count`);
      for (const v of [e.raw.min, e.raw.max, e.raw.mean]) assert.ok(Number.isFinite(v) && v > 0, `cycles ${JSON.stringify(e.raw)}`);
      return e.raw;
    };
    const a = stat(m.cycles.x1);
    const b = stat(m.cycles.x10);
    assert.ok(b.mean > a.mean, `10× the work, cycles ${b.mean} ≤ ${a.mean}`);
    say(`cycles per round: 1× ${a.mean.toFixed(0)} (${a.min}…${a.max}), 10× ${b.mean.toFixed(0)} (${b.min}…${b.max})`);
  });
}

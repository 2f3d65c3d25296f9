// Run inside an arm64 kernel-matrix guest (as root), from the consumer project
// the harness lays out beside the build (test/kernels/mitata.ts):
// node_modules/@mitata/counters is @perfcompat/mitata-counters, node_modules/mitata
// mitata itself, node_modules/perfcompat this build. mitata's own run() imports
// the drop-in by mitata's name; what it printed, what the guest can count, what
// the drop-in's init() does here, and cycles counted by perfcompat's provider on
// the same benchmark function go out as one JSON line. The host-side tests judge it.
import { bench, run } from 'mitata';
import { canCount, counters } from 'perfcompat/counters';

/** The events mitata's formatter reads (cycles, instructions, _bmispred, cache, cache.misses). */
const NEEDED = ['cycles', 'instructions', 'branch-misses', 'cache-references', 'cache-misses'];
const NAME = 'sum 1000';

function sum(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }

function attempt(f) {
  try { return f(); } catch (e) { return { error: { name: e?.name, code: e?.code, message: String(e?.message ?? e) } }; }
}

const lines = [];
bench(NAME, () => sum(1000));
const res = await run({ colors: false, print: (l) => lines.push(String(l)) });
const runs = (res?.benchmarks ?? []).flatMap((b) => b.runs ?? []).map((r) => ({
  name: r.name, error: r.error ? String(r.error.message ?? r.error) : undefined, hasCounters: r.stats ? 'counters' in r.stats : null, samples: r.stats?.samples?.length ?? null,
}));

const here = canCount(NEEDED);
const cyclesHere = canCount(['cycles']);
const drop = await import('@mitata/counters');
let initError = null;
try { drop.init(); } catch (e) { initError = { name: e?.name, code: e?.code, message: String(e?.message ?? e) }; }
const translated = attempt(() => drop.translate(1, 1) ?? null);
attempt(() => drop.deinit());

// The guest's own counters on the same function: cycles by perfcompat's provider, for 1× and 10× the work.
function cyclesOf(n, rounds) {
  return attempt(() => {
    const p = counters({ events: ['cycles'], standIns: false });
    try {
      p.init();
      for (let i = 0; i < rounds; i++) { p.before(); sum(n); p.after(1); }
      const v = p.values();
      return { events: v.events, missing: v.missing, rounds: v.rounds };
    } finally { p.close(); }
  });
}
const cycles = cyclesHere.ok ? { x1: cyclesOf(100_000, 20), x10: cyclesOf(1_000_000, 20) } : null;

process.stdout.write(`${JSON.stringify({ name: NAME, needed: NEEDED, lines, runs, here, cyclesHere, initError, translated, cycles })}\n`);

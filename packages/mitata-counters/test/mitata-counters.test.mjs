// The drop-in under mitata's own name, in a consumer project: mitata's run()
// prints no NaN and no zero counter lines on this machine (no counter lines
// where the counters it needs are not here, real counts where they are), and
// translate() gives mitata's shape with real numbers on a simulated PMU.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { lastJson, makeConsumer, REPO_ROOT } from './consumer.mjs';

const NEEDED = ['cycles', 'instructions', 'branch-misses', 'cache-references', 'cache-misses'];

describe('@perfcompat/mitata-counters as @mitata/counters', function () {
  this.timeout(240_000);
  let consumer;
  before(() => { consumer = makeConsumer(); });
  after(() => consumer?.cleanup());

  it('resolves under the @mitata/counters name with mitata\'s exports', () => {
    const r = consumer.run('exports.mjs', `
      const c = await import('@mitata/counters');
      console.log(JSON.stringify(Object.keys(c).sort()));
    `);
    const keys = lastJson(r, 'exports');
    for (const k of ['init', 'before', 'after', 'translate', 'deinit']) assert.ok(keys.includes(k), `exports ${k}`);
  });

  it('mitata\'s run() prints no NaN and no zero counter line; counter lines only where the counters count here', () => {
    const r = consumer.run('bench.mjs', `
      import { bench, run } from 'mitata';
      import { canCount } from 'perfcompat/counters';
      const lines = [];
      bench('sum 1000', () => { let s = 0; for (let i = 0; i < 1000; i++) s += i; return s; });
      await run({ colors: false, print: (l) => lines.push(String(l)) });
      const here = canCount(${JSON.stringify(NEEDED)});
      let initError = null;
      const c = await import('@mitata/counters');
      try { c.init(); } catch (e) { initError = { name: e.name, code: e.code, message: e.message }; }
      console.log(JSON.stringify({ lines, here, initError }));
    `, { DEBUG: '' });
    const out = lastJson(r, 'mitata run');
    const text = out.lines.join('\n');
    assert.match(text, /sum 1000/, 'the benchmark ran');
    assert.doesNotMatch(text, /NaN/);
    const counterLines = out.lines.filter((l) => /\bipc\b|branch misses|\bcycles\b|c-misses/.test(l));
    if (out.here.ok) {
      assert.ok(counterLines.length >= 2, `counter lines expected where the counters count: ${text}`);
      for (const l of counterLines) assert.doesNotMatch(l, /(^|\s)0\.00 (ipc|cycles|instructions|branch misses)/, l);
      assert.equal(out.initError, null);
    } else {
      assert.deepEqual(counterLines, [], `no counter lines where the counters are not here: ${out.here.reason}`);
      assert.equal(out.initError?.name, 'PerfcompatError');
      assert.equal(out.initError?.code, 'ERR_PERF_UNAVAILABLE');
      for (const name of NEEDED.filter((n) => out.here.events[n] && !out.here.events[n].ok)) {
        assert.ok(out.initError.message.includes(name), `init() names ${name}: ${out.initError.message}`);
      }
    }
  });

  it('init() many times (mitata never calls deinit) keeps one set of fds open; a refused init leaves none', () => {
    const r = consumer.run('leak.mjs', `
      import { readdirSync, readlinkSync } from 'node:fs';
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const perfFds = () => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync('/proc/self/fd/' + fd).includes('perf_event'); } catch { return false; } }).length;
      const { simulate } = require(${JSON.stringify(join(REPO_ROOT, 'dist', 'test', 'sim'))});
      const { getCapabilities } = require('perfcompat');
      const { createCounters, init } = await import('@mitata/counters');
      const map = getCapabilities({ ...simulate('mainline-6.18'), cache: false });
      const sim = simulate('mainline-6.18', { clock: 'manual' });
      const c = createCounters({ kernel: sim.kernel, capabilities: map });
      c.init();
      const one = sim.kernel.openFdCount();
      for (let i = 0; i < 30; i++) c.init();
      const many = sim.kernel.openFdCount();
      c.deinit();
      const after = sim.kernel.openFdCount();
      const real0 = perfFds();
      let refused = 0;
      for (let i = 0; i < 30; i++) { try { init(); } catch { refused++; } }
      console.log(JSON.stringify({ one, many, after, real0, real: perfFds(), refused }));
    `);
    const o = lastJson(r, 'leak');
    assert.ok(o.one > 0);
    assert.equal(o.many, o.one, 'init() closes what the last init() opened');
    assert.equal(o.after, 0, 'deinit() closes everything');
    if (o.refused > 0) assert.equal(o.real, o.real0, 'a refused init() leaves no perf fd open');
    else assert.ok(o.real - o.real0 <= 16, 'init() on the real kernel keeps one set open');
  });

  it('translate(batch, samples) on a simulated PMU: mitata\'s shape, real numbers, min <= avg <= max, avg = total / batch / samples', () => {
    const r = consumer.run('translate.mjs', `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const { simulate } = require(${JSON.stringify(join(REPO_ROOT, 'dist', 'test', 'sim'))});
      const { getCapabilities } = require('perfcompat');
      const { createCounters } = await import('@mitata/counters');
      const map = getCapabilities({ ...simulate('mainline-6.18'), cache: false });
      const sim = simulate('mainline-6.18', { clock: 'manual' });
      const c = createCounters({ kernel: sim.kernel, capabilities: map });
      c.init();
      const work = [];
      for (let i = 0; i < 20; i++) {
        c.before();
        const ev = sim.kernel.event(sim.kernel.openFds()[0]);
        const a = { n: ev.count, e: ev.timeEnabled, r: ev.timeRunning };
        sim.kernel.work(10_000 * (1 + (i % 5)));
        c.after();
        // The simulated kernel's own count of the round, scaled by its own enabled/running (the PMU multiplexes 6 events on 4 counters).
        work.push((ev.count - a.n) * (ev.timeEnabled - a.e) / (ev.timeRunning - a.r));
      }
      console.log(JSON.stringify({ t: c.translate(4, 20), work }));
      c.deinit();
    `);
    const { t, work } = lastJson(r, 'translate');
    for (const k of ['cycles', 'instructions', '_bmispred']) {
      const s = t[k];
      assert.ok(s && [s.min, s.max, s.avg].every((x) => Number.isFinite(x) && x > 0), `${k}: ${JSON.stringify(s)}`);
      assert.ok(s.min <= s.avg * 1 + 1e-9 && s.avg <= s.max + 1e-9, `${k}: ${JSON.stringify(s)}`);
    }
    assert.ok(t.cache.avg > 0 && t.cache.misses.avg > 0, JSON.stringify(t.cache));
    assert.ok(t.branches && t.branches.mispredicted.avg === t._bmispred.avg);
    // The first opened event is cycles: the simulator's own counts per sample give its min, max and avg (batch 4, 20 samples).
    const total = work.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(t.cycles.avg - total / 4 / 20) <= 1e-6 * total, `avg ${t.cycles.avg} vs ${total / 80}`);
    assert.ok(Math.abs(t.cycles.min - Math.min(...work) / 4) <= 1e-6 * total, `min ${t.cycles.min} vs ${Math.min(...work) / 4}`);
    assert.ok(Math.abs(t.cycles.max - Math.max(...work) / 4) <= 1e-6 * total, `max ${t.cycles.max} vs ${Math.max(...work) / 4}`);
    assert.doesNotMatch(JSON.stringify(t), /null,"_bmispred"|NaN/);
  });
});

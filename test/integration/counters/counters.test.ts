/**
 * The counters provider on this kernel: over 200 start/work/stop rounds every
 * event is within 10% of the work the thread clock measured (the group of
 * cpu-clock and task-clock that PERF_IOC_FLAG_GROUP toggling under-counts
 * here included); 'process' scope counts a worker thread started before
 * init(); the light entry loads only a few modules.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { counters, canCount } from '../../../src/counters';
import { realKernel } from '../../../src/sys';
import { leakedPerfFds, openFds } from '../../helpers/fds';
import { assertClockCount, wallNs } from '../../helpers/clock-count';

const k = realKernel();

function spin(ns: bigint): bigint {
  const t0 = k.threadCpuNs();
  let t = t0;
  while (t - t0 < ns) t = k.threadCpuNs();
  return t - t0;
}

/**
 * Spins on its own thread clock and, each time the main thread raises the
 * request number (ctl[1]), reads CLOCK_THREAD_CPUTIME_ID into cpu[0] and
 * answers with the same number (ctl[2]). A reading is thus taken after the
 * request, never one left over from before it (nor a 0 the worker had not yet
 * overwritten: its startup CPU is outside any window); ctl[0] stops it.
 */
const WORKER = `
  const { parentPort, workerData } = require('node:worker_threads');
  const { realKernel } = require(workerData.sys);
  const k = realKernel();
  const cpu = new BigInt64Array(workerData.cpu);
  const ctl = new Int32Array(workerData.ctl);
  let answered = 0;
  parentPort.postMessage('spinning');
  while (Atomics.load(ctl, 0) === 0) {
    k.threadCpuNs();
    const asked = Atomics.load(ctl, 1);
    if (asked !== answered) {
      cpu[0] = k.threadCpuNs();
      answered = asked;
      Atomics.store(ctl, 2, asked);
      Atomics.notify(ctl, 2);
    }
  }
`;

/** The worker's thread clock read after this call began and before it returns (the main thread sleeps meanwhile). */
function workerClock(cpu: BigInt64Array, ctl: Int32Array): bigint {
  const n = Atomics.load(ctl, 1) + 1;
  Atomics.store(ctl, 1, n);
  // Bounded so a worker that died cannot hang the suite; a loaded machine answers in well under a minute.
  for (let i = 0; i < 60 && Atomics.load(ctl, 2) !== n; i++) Atomics.wait(ctl, 2, n - 1, 1000);
  assert.equal(Atomics.load(ctl, 2), n, 'the worker answered the clock request');
  return Atomics.load(cpu, 0);
}

describe('counters provider (this kernel)', function () {
  this.timeout(120_000);

  before(function () {
    const s = canCount(['cpu-clock', 'task-clock']);
    if (!s.ok) { console.log(`      skipped: ${s.reason}`); this.skip(); }
  });

  it('200 rounds of cpu-clock and task-clock in one group: every event between the thread clock\'s work and the windows\' wall time', () => {
    const fds = openFds();
    const c = counters({ events: ['cpu-clock', 'task-clock'] }).init();
    let work = 0;
    let wall = 0;
    for (let i = 0; i < 200; i++) {
      const w = wallNs(() => {
        c.before();
        work += Number(spin(300_000n));
        c.after();
      });
      wall += w.ns;
    }
    const v = c.values();
    c.close();
    assert.deepEqual(leakedPerfFds(fds), []);
    for (const name of ['cpu-clock', 'task-clock']) {
      const e = v.events[name];
      assert.ok(e, `${name} counted: ${JSON.stringify(v.missing)}`);
      assert.equal(e.rounds, 200, `${name} counted in every round`);
      assert.ok(e.raw.min > 0, `${name}: no round reads 0 (min ${e.raw.min})`);
      assertClockCount(e.raw.total, work, wall, name);
    }
    const u = v.derived.cpusUtilized!;
    assert.ok(u.perRound.max <= 1.0001 && u.value > 0, `one thread uses at most one CPU: ${JSON.stringify(u)}`);
  });

  it('scope "process" counts a worker thread that was spinning before init(); thread scope does not', async () => {
    const cpu = new SharedArrayBuffer(8);
    const ctl = new Int32Array(new SharedArrayBuffer(12));
    const w = new Worker(WORKER, { eval: true, workerData: { sys: join(__dirname, '..', '..', '..', 'src', 'sys'), cpu, ctl: ctl.buffer } });
    try {
      await new Promise<void>((res, rej) => { w.once('message', () => res()); w.once('error', rej); });
      const proc = counters({ scope: 'process', events: ['task-clock'] }).init();
      const own = counters({ events: ['task-clock'] }).init();
      const cpuNow = new BigInt64Array(cpu);
      proc.before(); own.before();
      // The worker's two readings are taken inside the counted window, at its edges: the count must cover their difference.
      const w0 = workerClock(cpuNow, ctl);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300); // this thread sleeps; the worker spins
      const w1 = workerClock(cpuNow, ctl);
      own.after(); proc.after();
      const p = proc.values();
      const o = own.values();
      proc.close(); own.close();
      const workerNs = Number(w1 - w0);
      assert.ok(workerNs > 0, 'the worker ran');
      assert.ok(p.threads >= 2, `threads counted: ${p.threads}`);
      const pt = p.events['task-clock']!.raw.total;
      const ot = o.events['task-clock']!.raw.total;
      assert.ok(pt >= 0.9 * workerNs, `process scope ${pt} ns covers the worker's ${workerNs} ns`);
      assert.ok(ot < 0.5 * workerNs, `thread scope ${ot} ns does not include the worker's ${workerNs} ns`);
    } finally {
      Atomics.store(ctl, 0, 1);
      await w.terminate();
    }
  });

  it('require("perfcompat/counters") loads a handful of modules; the whole library (every export of "perfcompat" used) is many times more', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    const count = (spec: string, extra = '') => {
      const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(spec)}); ${extra}; console.log(Object.keys(require.cache).length)`], { cwd: root, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return Number(r.stdout.trim());
    };
    const light = count(join(root, 'dist', 'src', 'counters'));
    // The entry is lazy (each export loads its module on first use): touch every export.
    const entry = JSON.stringify(join(root, 'dist', 'src', 'index.js'));
    const full = count(join(root, 'dist', 'src', 'index.js'), `const m = require(${entry}); for (const k of Object.keys(m)) void m[k]`);
    assert.ok(light < 15, `perfcompat/counters loads ${light} modules`);
    assert.ok(light < full / 5, `${light} vs ${full}`);
  });
});

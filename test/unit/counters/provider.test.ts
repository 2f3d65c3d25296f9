/**
 * The counters provider on simulated kernels: plain-JSON values (no BigInt),
 * min/max/mean raw and per iteration against the simulator's own counts,
 * events that cannot count reported as missing with a reason (never 0),
 * stand-ins only when asked and under their own name, IPC only from real
 * events, group leaders toggled alone (never PERF_IOC_FLAG_GROUP enable), no fd left.
 */
import assert from 'node:assert/strict';
import { PERF_IOC_FLAG_GROUP } from '../../../src/abi/ioctl';
import { counters, canCount, available } from '../../../src/counters';
import { PerfcompatError } from '../../../src/errors';
import { getCapabilities } from '../../../src/root';
import { simulate } from '../../sim';

function world(persona: string) {
  const map = getCapabilities({ ...simulate(persona), cache: false });
  const sim = simulate(persona, { clock: 'manual' });
  return { sim, src: { kernel: sim.kernel, capabilities: map } };
}

function noBigInt(v: unknown): void {
  JSON.stringify(v, (_k, x) => { assert.notEqual(typeof x, 'bigint'); return x; });
}

describe('counters provider (simulated kernels)', () => {
  it('values() are plain JSON: min, max, mean raw and per iteration, matching the simulated counts', () => {
    const { sim, src } = world('mainline-6.18');
    const c = counters({ ...src, events: ['instructions', 'task-clock'] }).init();
    const ns = [10_000, 30_000, 20_000];
    const fd = sim.kernel.openFds()[0]!;
    const got: number[] = [];
    for (const w of ns) {
      c.before();
      const a = sim.kernel.event(fd)!.count;
      sim.kernel.work(w);
      c.after(10);
      got.push(sim.kernel.event(fd)!.count - a);
    }
    const v = c.values();
    noBigInt(v);
    assert.deepEqual(JSON.parse(JSON.stringify(v)), v);
    const ins = v.events.instructions!;
    assert.equal(ins.rounds, 3);
    assert.equal(ins.raw.min, Math.min(...got));
    assert.equal(ins.raw.max, Math.max(...got));
    assert.equal(ins.raw.mean, got.reduce((a, b) => a + b, 0) / 3);
    assert.equal(ins.perIteration.max, Math.max(...got) / 10);
    assert.equal(v.iterations, 30);
    assert.deepEqual(v.missing, {});
    c.close();
    assert.equal(sim.kernel.openFdCount(), 0);
  });

  it('toggles group leaders only: no enable or disable with PERF_IOC_FLAG_GROUP', () => {
    const { sim, src } = world('mainline-6.18');
    const c = counters({ ...src, events: ['cpu-clock', 'task-clock', 'page-faults'] }).init();
    sim.kernel.calls.length = 0;
    for (let i = 0; i < 3; i++) { c.before(); sim.kernel.work(1000); c.after(); }
    // The simulator logs an ioctl request by its name.
    const toggles = sim.kernel.calls.filter((k) => k.call === 'ioctl' && ['enable', 'disable'].includes(k.args[1] as string));
    assert.equal(toggles.length, 6, 'one enable and one disable per round, on the one leader');
    assert.ok(toggles.every((k) => k.args[2] !== PERF_IOC_FLAG_GROUP), JSON.stringify(toggles.map((k) => k.args)));
    const v = c.values();
    assert.ok(v.events['task-clock']!.raw.min > 0 && v.events['cpu-clock']!.raw.min > 0);
    c.close();
  });

  it('no PMU: hardware events are missing with a reason, never 0; stand-ins only when asked, under their own name; no IPC from them', () => {
    const { sim, src } = world('vm-no-pmu');
    const c = counters({ ...src, events: ['cycles', 'instructions', 'task-clock'] }).init();
    c.before(); sim.kernel.work(5000); c.after();
    const v = c.values();
    assert.deepEqual(Object.keys(v.events), ['task-clock']);
    assert.match(v.missing.cycles!.reason, /cycles/);
    assert.match(v.missing.instructions!.reason, /instructions/);
    assert.ok(v.derived.cpusUtilized && v.derived.cpusUtilized.value > 0);
    assert.equal(v.derived.ipc, undefined);
    c.close();
    const s = counters({ ...src, events: ['cycles', 'instructions', 'task-clock'], standIns: true }).init();
    s.before(); sim.kernel.work(5000); s.after();
    const w = s.values();
    assert.equal(w.events.cycles, undefined, 'a stand-in is never reported as the event it replaces');
    assert.equal(w.events.instructions, undefined);
    const stand = Object.values(w.events).filter((e) => e.standInFor !== undefined);
    assert.deepEqual(stand.map((e) => e.standInFor).sort(), ['cycles', 'instructions']);
    assert.ok(stand.every((e) => e.name !== e.standInFor && e.unit === 'ns'));
    assert.equal(w.derived.ipc, undefined, 'no IPC from stand-ins');
    s.close();
    assert.equal(sim.kernel.openFdCount(), 0);
  });

  it('IPC where cycles and instructions both count: instructions / cycles of the same rounds', () => {
    const { sim, src } = world('mainline-6.18');
    const c = counters({ ...src, events: ['cycles', 'instructions'] }).init();
    for (let i = 0; i < 4; i++) { c.before(); sim.kernel.work(7000); c.after(); }
    const v = c.values();
    const ipc = v.derived.ipc!;
    assert.equal(ipc.value, v.events.instructions!.raw.total / v.events.cycles!.raw.total);
    assert.deepEqual(ipc.from, ['instructions', 'cycles']);
    c.close();
  });

  it('an event that opens but never gets on its PMU is missing ("never scheduled"), not 0', () => {
    // nmi-watchdog: the watchdog holds one of the 4 counters. With the group limit taken out of the map,
    // the 4 hardware events share one group (task-clock joins it) that opens but never runs.
    const { sim, src } = world('nmi-watchdog');
    const features = { ...src.capabilities.features };
    delete features['combo.group_schedulability'];
    const c = counters({ kernel: sim.kernel, capabilities: { ...src.capabilities, features }, events: ['cycles', 'instructions', 'branches', 'branch-misses', 'task-clock'] }).init();
    for (let i = 0; i < 2; i++) { c.before(); sim.kernel.work(10_000); c.after(); }
    const v = c.values();
    assert.deepEqual(Object.keys(v.events), []);
    assert.deepEqual(Object.keys(v.missing).sort(), ['branch-misses', 'branches', 'cycles', 'instructions', 'task-clock']);
    for (const m of Object.values(v.missing)) assert.match(m.reason, /never scheduled/);
    c.close();
  });

  it('bad input is a PerfcompatError naming it; before()/after() out of order too', () => {
    assert.throws(() => counters({ events: [] }), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_INVALID_ARGUMENT' && /events/.test(e.message));
    assert.throws(() => counters({ scope: 'all' as never }), /scope/);
    const { sim, src } = world('mainline-6.18');
    const c = counters({ ...src, events: ['task-clock'] });
    assert.throws(() => c.before(), /init\(\) first/);
    c.init();
    assert.throws(() => c.after(), /before\(\) first/);
    c.before(); sim.kernel.work(10);
    assert.throws(() => c.after(0), /iterations/);
    c.close();
  });

  it('canCount() and available() answer { ok, reason } and never throw, on every persona', () => {
    // The provider asks the engine for each kernel's map itself (which throws ERR_PERF_UNAVAILABLE under seccomp).
    const box = (persona: string) => { const s = simulate(persona); return { kernel: s.kernel, environment: s.environment, uname: s.uname }; };
    for (const persona of ['vm-no-pmu', 'seccomp-eperm', 'seccomp-enosys', 'paranoid3-user', 'mainline-6.18']) {
      const src = box(persona);
      const a = available(src);
      const s = canCount(['cycles', 'task-clock', 'no-such-event'], src);
      assert.equal(s.ok, false, persona);
      assert.ok(!s.ok && s.reason.length > 0);
      if (!a.ok) assert.ok(a.reason.length > 0);
    }
    const a = available(box('seccomp-eperm'));
    assert.equal(a.ok, false);
    assert.ok(!a.ok && /seccomp/i.test(a.reason), !a.ok ? a.reason : '');
    assert.deepEqual(canCount([] as string[]).ok, false);
  });
});

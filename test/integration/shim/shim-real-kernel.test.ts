/**
 * The shim on this machine's kernel. Works with or without a hardware PMU:
 * what is expected of `cycles` follows the capability map.
 */
import assert from 'node:assert/strict';
import { PerfcompatError } from '../../../src/errors';
import { getCapabilities } from '../../../src/root';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { EventSet } from '../../../src/shim';
import { openEvent } from '../../../src/shim/perf-event';
import { realKernel } from '../../../src/sys/real-kernel';
import { ownCache } from '../../helpers/own-cache';
import { fdChanges, openFds } from '../../helpers/fds';

const SOFTWARE_SET = ['task-clock', 'context-switches', 'page-faults', 'cpu-migrations'];


/**
 * A fixed amount of CPU work on this thread; returns the CPU time the OS
 * charged this thread for it (ns) — the machine may be loaded, so wall time
 * says nothing about what a task clock should read, and the process's CPU
 * time also charges GC threads that may run beside the loop.
 */
function busy(iterations: number): number {
  const k = realKernel();
  const before = k.threadCpuNs();
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 31 + i) | 0;
  const d = k.threadCpuNs() - before;
  if (x === 0.5) throw new Error('unreachable: keeps the loop');
  return Number(d);
}

/** A task clock reading agrees with the OS's CPU accounting of the same work. */
function assertCpuTime(counted: number, osNs: number, what: string): void {
  assert.ok(counted >= osNs * 0.5, `${what}: counted ${counted} ns, the OS charged ${osNs} ns`);
  assert.ok(counted <= osNs * 1.5 + 5e6, `${what}: counted ${counted} ns, the OS charged only ${osNs} ns`);
}

describe('shim on this kernel', function () {
  ownCache(); // what other suites cached must not change what these tests see
  let map: CapabilityMap;
  before(() => {
    map = getCapabilities();
  });

  it('an EventSet of software events counts a busy loop with plausible numbers', () => {
    const set = new EventSet({ capabilities: map });
    try {
      for (const e of SOFTWARE_SET) set.add(e);
      assert.equal(set.readPath, map.features['read_format.group']?.status === 'supported' ? 'group' : 'per-event');
      set.start();
      const osNs = busy(50_000_000);
      const pages: Buffer[] = [];
      for (let i = 0; i < 64; i++) pages.push(Buffer.alloc(64 * 1024, i)); // touch fresh memory: page faults
      const values = set.stop();
      const detail = set.readValues();
      const [taskClock, cs, faults, migrations] = [...values];
      assertCpuTime(taskClock!, osNs, 'task-clock over a busy loop');
      assert.ok(faults! > 0, `page faults ${faults} after touching 4 MiB`);
      assert.ok(cs! >= 0 && migrations! >= 0);
      assert.ok(detail.every((d) => d.counted && !d.multiplexed), 'software events always run');
      assert.equal(detail[0]!.timeEnabled, detail[0]!.timeRunning);
      assert.equal(pages.length, 64);
    } finally {
      set.close();
    }
  });

  it('forCommand counts a sleeping child from exec to exit, with its exit status', async () => {
    const r = await EventSet.forCommand(['sleep', '0.2'], { capabilities: map, stdio: 'ignore' });
    assert.equal(r.exitCode, 0);
    assert.equal(r.signal, null);
    const by = Object.fromEntries(r.values.map((v) => [v.name, v]));
    assert.deepEqual(Object.keys(by), SOFTWARE_SET.slice(0, 2).concat(['cpu-migrations', 'page-faults']));
    const taskClock = Number(by['task-clock']!.value);
    assert.ok(taskClock > 0, 'the child ran');
    assert.ok(taskClock < 150e6, `a sleeping child used ${taskClock} ns of CPU in 200 ms`);
    assert.ok(by['context-switches']!.value >= 1n, 'sleeping switches out at least once');
    assert.ok(by['page-faults']!.value > 0n, 'exec faults pages in');
  });

  it('forCommand reports a failing command\'s exit status and counts its busy work', async () => {
    const r = await EventSet.forCommand(['sh', '-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3'], { capabilities: map, events: ['task-clock'], stdio: 'ignore' });
    assert.equal(r.exitCode, 3);
    assert.ok(r.values[0]!.value > 1_000_000n, `task-clock ${r.values[0]!.value} ns for a 20000-step shell loop`);
  });

  it('cycles fails clearly by default without a PMU, and falls back to cpu-clock with the policy', () => {
    const hw = map.features['event.hardware.cpu_cycles'];
    if (hw?.status === 'supported') {
      const ev = openEvent('cycles', { capabilities: map, policy: { fallback: 'software' } });
      assert.equal(ev.substitutedFrom, undefined, 'a machine with a PMU counts real cycles');
      ev.close();
      return;
    }
    assert.throws(() => openEvent('cycles', { capabilities: map }), (e: unknown) => {
      assert.ok(e instanceof PerfcompatError);
      assert.equal(e.code, 'ERR_KERNEL');
      assert.match(e.message, /cycles/);
      assert.match(e.message, /fallback: 'software'/);
      return true;
    });
    const set = new EventSet({ capabilities: map, policy: { fallback: 'software' } });
    try {
      set.add('cycles');
      set.start();
      const osNs = busy(20_000_000);
      const [v] = set.readValues();
      assert.equal(v!.name, 'cpu-clock');
      assert.equal(v!.substitutedFrom, 'cycles');
      assert.equal(v!.unit, 'ns');
      assertCpuTime(Number(v!.value), osNs, 'cpu-clock standing in for cycles');
      assert.equal(set.adaptations[0]!.featureId, 'event.hardware.cpu_cycles');
    } finally {
      set.close();
    }
  });

  it('leaks no fd over 10,000 open/read/close cycles', function () {
    this.timeout(180_000); // a few seconds alone; the machine may be shared
    const before = openFds();
    for (let i = 0; i < 10_000; i++) {
      const ev = openEvent('task-clock', { capabilities: map });
      try {
        ev.enable();
        ev.readCount();
      } finally {
        ev.close();
      }
    }
    for (let i = 0; i < 500; i++) {
      const set = new EventSet({ capabilities: map });
      try {
        set.add('task-clock').add('page-faults');
        set.start();
        set.read();
      } finally {
        set.close();
      }
    }
    assert.deepEqual(fdChanges(before), []);
  });

  it('leaks no fd when an add fails half-way', () => {
    const before = openFds();
    const set = new EventSet({ capabilities: map });
    set.add('task-clock');
    assert.throws(() => set.add({ type: 1, config: 1, config4: 1 }));
    assert.throws(() => set.add('no-such-event-anywhere'));
    set.close();
    assert.deepEqual(fdChanges(before), []);
  });

  it('close() is idempotent and a closed event or set throws ERR_CLOSED', () => {
    const ev = openEvent('task-clock', { capabilities: map });
    ev.close();
    ev.close();
    assert.throws(() => ev.readCount(), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_CLOSED');
    const set = new EventSet({ capabilities: map });
    set.add('task-clock');
    set.close();
    set.close();
    assert.throws(() => set.read(), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_CLOSED');
  });
});

/**
 * EventSet against stubbed and simulated kernels: the read path follows the
 * map (one PERF_FORMAT_GROUP read, or one read per event when group reads are
 * missing or broken), multiplexed values are scaled, groups are split at the
 * map's schedulability limit, and a closed set refuses use.
 */
import assert from 'node:assert/strict';
import { PERF_FORMAT } from '../../../src/abi/constants';
import { PERF_IOC_FLAG_GROUP, perfIoctl, archAbi } from '../../../src/abi/ioctl';
import { PerfcompatError } from '../../../src/errors';
import { getCapabilities } from '../../../src/root';
import { EventSet } from '../../../src/shim/event-set';
import { simulate } from '../../sim';
import sinon from 'sinon';
import * as parseList from '../../../src/events/parse-list';
import { Sampler } from '../../../src/shim/sampler';
import { fillWords, mapWith, sentAttr, stubKernel, supported, unsupported } from './shim-fixtures';

const SW = ['task-clock', 'context-switches', 'page-faults'].map((name, config) => ({ type: 1, config: [1, 3, 2][config]!, name }));
const HW = ['cycles', 'instructions', 'cache-references', 'cache-misses', 'branches', 'branch-misses'].map((name, config) => ({ type: 0, config, name }));
const HW_MAP = Object.fromEntries(HW.map((_, i) => [`event.hardware.${['cpu_cycles', 'instructions', 'cache_references', 'cache_misses', 'branch_instructions', 'branch_misses'][i]}`, supported()]));
const IOC = { enable: perfIoctl('enable', archAbi('x64')), disable: perfIoctl('disable', archAbi('x64')), reset: perfIoctl('reset', archAbi('x64')) };

function closedError(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_CLOSED' && /closed/.test(e.message));
}

describe('shim/EventSet', () => {
  describe('read paths', () => {
    it('reads a group with ONE read() of PERF_FORMAT_GROUP where the map says it works', () => {
      const k = stubKernel();
      const set = new EventSet({ kernel: k, capabilities: mapWith({ 'read_format.group': supported() }) });
      for (const e of SW) set.add(e);
      assert.equal(set.readPath, 'group');
      assert.deepEqual(set.groups, [['task-clock', 'context-switches', 'page-faults']]);
      const leaderFd = k.perfEventOpen.firstCall.returnValue.fd;
      assert.equal(k.perfEventOpen.secondCall.args[3], leaderFd, 'members join the leader');
      assert.ok((BigInt(sentAttr(k).read_format) & PERF_FORMAT.GROUP) !== 0n);
      k.read.callsFake((fd: number, buf: Uint8Array) => ({ bytes: fillWords(buf, [3, 1000, 1000, 11, 22, 33]) }));
      const out = new Float64Array(3);
      assert.equal(set.read(out), out, 'fills the caller\'s array');
      assert.deepEqual([...out], [11, 22, 33]);
      assert.equal(k.read.callCount, 1);
      assert.equal(k.read.firstCall.args[0], leaderFd);
      set.close();
    });

    for (const [why, features] of [
      ['read_format.group is unsupported', { 'read_format.group': unsupported() }],
      ['behaviour.group_read is broken', { 'read_format.group': supported(), 'behaviour.group_read': { status: 'broken' as const, reason: 'values out of order' } }],
    ] as const) {
      it(`reads one read() per event when ${why}`, () => {
        const k = stubKernel();
        const set = new EventSet({ kernel: k, capabilities: mapWith(features) });
        for (const e of SW) set.add(e);
        assert.equal(set.readPath, 'per-event');
        assert.match(set.readPathReason, /read_format\.group|behaviour\.group_read/);
        for (let i = 0; i < 3; i++) assert.equal(BigInt(sentAttr(k, i).read_format) & PERF_FORMAT.GROUP, 0n, 'no GROUP bit sent');
        const byFd = new Map(k.perfEventOpen.getCalls().map((c, i) => [c.returnValue.fd as number, (i + 1) * 100]));
        k.read.callsFake((fd: number, buf: Uint8Array) => ({ bytes: fillWords(buf, [byFd.get(fd)!, 50, 50]) }));
        assert.deepEqual([...set.read()], [100, 200, 300]);
        assert.equal(k.read.callCount, 3);
        set.close();
      });
    }

    it('scales a forced multiplexed read by enabled/running and says so', () => {
      const k = stubKernel();
      const set = new EventSet({ kernel: k, capabilities: mapWith({ 'read_format.group': supported() }) });
      for (const e of SW) set.add(e);
      k.read.callsFake((_fd: number, buf: Uint8Array) => ({ bytes: fillWords(buf, [3, 1000, 250, 10, 20, 30]) }));
      assert.deepEqual([...set.read()], [40, 80, 120]);
      const v = set.readValues();
      assert.deepEqual(v.map((x) => x.scaled), [40n, 80n, 120n]);
      assert.deepEqual(v.map((x) => x.value), [10n, 20n, 30n]);
      assert.ok(v.every((x) => x.multiplexed && x.counted && x.timeEnabled === 1000n && x.timeRunning === 250n));
      k.read.callsFake((_fd: number, buf: Uint8Array) => ({ bytes: fillWords(buf, [3, 1000, 0, 0, 0, 0]) }));
      assert.ok(set.readValues().every((x) => !x.counted && x.scaled === 0n), 'a group that never ran is not counted');
      set.close();
    });

    it('reads LOST where the map supports it, and not elsewhere', () => {
      const k = stubKernel();
      const set = new EventSet({ kernel: k, capabilities: mapWith({ 'read_format.lost': supported() }) });
      set.add(SW[0]!).add(SW[1]!);
      assert.ok((BigInt(sentAttr(k).read_format) & PERF_FORMAT.LOST) !== 0n);
      k.read.callsFake((_fd: number, buf: Uint8Array, len: number) => {
        assert.equal(len, 8 * (3 + 2 * 2));
        return { bytes: fillWords(buf, [2, 10, 10, 5, 1, 6, 2]) };
      });
      assert.deepEqual(set.readValues().map((x) => [x.value, x.lost]), [[5n, 1n], [6n, 2n]]);
      const k2 = stubKernel();
      const plain = new EventSet({ kernel: k2, capabilities: mapWith({ 'read_format.lost': unsupported() }) });
      plain.add(SW[0]!);
      assert.equal(BigInt(sentAttr(k2).read_format) & PERF_FORMAT.LOST, 0n);
      set.close();
      plain.close();
    });
  });

  describe('grouping', () => {
    it('splits hardware groups at the map\'s schedulability limit and reports the split', () => {
      const k = stubKernel();
      const set = new EventSet({ kernel: k, capabilities: mapWith({ ...HW_MAP, 'combo.group_schedulability': supported(2) }) });
      for (const e of HW.slice(0, 5)) set.add(e);
      set.add(SW[0]!);
      assert.deepEqual(set.groups.map((g) => g.length), [3, 2, 1], 'software joins the first group without taking a counter');
      assert.deepEqual(set.groups[0], ['cycles', 'instructions', 'task-clock']);
      assert.equal(set.splits.length, 2);
      assert.match(set.splits[0]!, /at most 2.*combo\.group_schedulability/);
      set.close();
    });

    it('keeps software events apart from hardware where hw/sw groups are refused', () => {
      const k = stubKernel();
      const set = new EventSet({ kernel: k, capabilities: mapWith({ ...HW_MAP, 'combo.hw_sw_group': unsupported() }) });
      set.add(HW[0]!).add(SW[0]!).add(HW[1]!).add(SW[1]!);
      assert.deepEqual(set.groups, [['cycles', 'instructions'], ['task-clock', 'context-switches']]);
      assert.match(set.splits[0]!, /combo\.hw_sw_group/);
      set.close();
    });

    it('keeps all hardware events in one group when the map gives no limit', () => {
      const set = new EventSet({ kernel: stubKernel(), capabilities: mapWith(HW_MAP) });
      for (const e of HW) set.add(e);
      assert.deepEqual(set.groups.map((g) => g.length), [6]);
      assert.deepEqual(set.splits, []);
      set.close();
    });
  });

  describe('PAPI operations', () => {
    it('start resets each group (FLAG_GROUP) and enables its leader alone; stop disables it and returns the values', () => {
      const k = stubKernel();
      const set = new EventSet({ kernel: k, capabilities: mapWith() });
      set.add(SW[0]!);
      set.start();
      assert.deepEqual(k.ioctl.getCalls().map((c) => [c.args[1], c.args[2]]), [[IOC.reset, PERF_IOC_FLAG_GROUP], [IOC.enable, 0]]);
      assert.throws(() => set.start(), /already running/);
      assert.throws(() => set.add(SW[1]!), /running/);
      k.read.callsFake((_fd: number, buf: Uint8Array) => ({ bytes: fillWords(buf, [1, 9, 9, 7]) }));
      assert.deepEqual([...set.stop()], [7]);
      assert.equal(k.ioctl.lastCall.args[1], IOC.disable);
      set.close();
    });

    it('accum adds into the caller\'s values and resets the counters', () => {
      const k = stubKernel();
      const set = new EventSet({ kernel: k, capabilities: mapWith() });
      set.add(SW[0]!).add(SW[1]!);
      k.read.callsFake((_fd: number, buf: Uint8Array) => ({ bytes: fillWords(buf, [2, 5, 5, 3, 4]) }));
      const acc = new Float64Array([100, 200]);
      set.accum(acc);
      set.accum(acc);
      assert.deepEqual([...acc], [106, 208]);
      assert.equal(k.ioctl.getCalls().filter((c) => c.args[1] === IOC.reset).length, 2);
      set.close();
    });

    it('close() is idempotent, closes every fd once, and the set then throws ERR_CLOSED', () => {
      const k = stubKernel();
      const set = new EventSet({ kernel: k, capabilities: mapWith() });
      for (const e of SW) set.add(e);
      set.close();
      set.close();
      set[Symbol.dispose]();
      const fds = k.perfEventOpen.getCalls().map((c) => c.returnValue.fd as number).sort();
      assert.deepEqual(k.close.getCalls().map((c) => c.args[0] as number).sort(), fds);
      closedError(() => set.read());
      closedError(() => set.readValues());
      closedError(() => set.start());
      closedError(() => set.stop());
      closedError(() => set.reset());
      closedError(() => set.add('task-clock'));
      closedError(() => set.accum(new Float64Array(3)));
    });

    it('emulates RESET where the map says it does nothing, and resets members one by one where group ioctls miss them', () => {
      const k = stubKernel();
      const set = new EventSet({ kernel: k, capabilities: mapWith({ 'behaviour.ioctl_reset': { status: 'broken' }, 'behaviour.ioctl_flag_group': { status: 'broken' } }) });
      set.add(SW[0]!).add(SW[1]!);
      let raw = [100, 7];
      k.read.callsFake((_fd: number, buf: Uint8Array) => ({ bytes: fillWords(buf, [2, 10, 10, ...raw]) }));
      set.start();
      assert.deepEqual(k.ioctl.getCalls().filter((c) => c.args[1] === IOC.reset).map((c) => c.args[2]), [0, 0], 'each event reset, without FLAG_GROUP');
      assert.deepEqual(k.ioctl.getCalls().filter((c) => c.args[1] === IOC.enable).map((c) => c.args[2]), [0], 'the leader alone enabled, without FLAG_GROUP');
      raw = [150, 9];
      assert.deepEqual([...set.read()], [50, 2], 'counts since start()');
      assert.deepEqual(set.readValues().map((v) => v.value), [50n, 2n]);
      set.reset();
      raw = [160, 12];
      assert.deepEqual([...set.read()], [10, 3], 'counts since reset()');
      assert.equal(set.splits.length, 2, 'both decisions reported');
      set.close();
    });

    it('works with `using`-style disposal', () => {
      const k = stubKernel();
      {
        const set = new EventSet({ kernel: k, capabilities: mapWith() });
        try { set.add(SW[0]!); } finally { set[Symbol.dispose](); }
      }
      assert.equal(k.close.callCount, 1);
    });

    it('applies its policy to every add', () => {
      const set = new EventSet({ kernel: stubKernel(), capabilities: mapWith({ 'event.hardware.cpu_cycles': { status: 'no-hardware', errno: 2, errnoName: 'ENOENT' } }), policy: { fallback: 'software' } });
      set.add(HW[0]!);
      assert.deepEqual(set.names, ['cpu-clock']);
      assert.equal(set.adaptations[0]!.event, 'cpu-clock');
      assert.equal(set.events[0]!.substitutedFrom, 'cycles');
      set.close();
    });
  });

  describe('on simulated kernels', () => {
    it('nmi-watchdog: a group the PMU cannot run is split, and the halves are multiplexed and scaled', () => {
      // The map is probed on a wall-clock persona; the counting runs on manual time so the comparison is exact.
      const map = getCapabilities({ ...simulate('nmi-watchdog'), cache: false });
      const sim = simulate('nmi-watchdog', { clock: 'manual' });
      const limit = map.features['combo.group_schedulability']!.value as number;
      assert.equal(limit, 3);
      const set = new EventSet({ kernel: sim.kernel, capabilities: map });
      for (const e of HW) set.add(e);
      assert.deepEqual(set.groups.map((g) => g.length), [3, 3]);
      set.start();
      sim.kernel.work(1_000_000);
      const v = set.readValues();
      assert.ok(v.every((x) => x.counted && x.multiplexed), 'both halves ran part of the time');
      // Reference: the same events, 3 at a time, alone (not multiplexed).
      const ref = new EventSet({ kernel: sim.kernel, capabilities: map });
      set.stop();
      for (const e of HW.slice(0, 3)) ref.add(e);
      ref.start();
      sim.kernel.work(1_000_000);
      const r = ref.readValues();
      for (let i = 0; i < 3; i++) {
        assert.equal(r[i]!.multiplexed, false);
        const ratio = Number(v[i]!.scaled) / Number(r[i]!.value);
        assert.ok(Math.abs(ratio - 1) < 0.01, `${v[i]!.name}: scaled ${v[i]!.scaled} vs alone ${r[i]!.value}`);
      }
      set.close();
      ref.close();
      assert.equal(sim.kernel.openFdCount(), 0, 'no fd left open');
    });

    it('vm-no-pmu: cycles fails by default and counts cpu-clock with the fallback policy', () => {
      const map = getCapabilities({ ...simulate('vm-no-pmu'), cache: false });
      const sim = simulate('vm-no-pmu', { clock: 'manual' });
      assert.throws(() => new EventSet({ kernel: sim.kernel, capabilities: map }).add('cycles'),
        (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_KERNEL' && e.errnoName === 'ENOENT');
      const set = new EventSet({ kernel: sim.kernel, capabilities: map, policy: { fallback: 'software' } });
      set.add('cycles').add('task-clock');
      assert.deepEqual(set.names, ['cpu-clock', 'task-clock']);
      set.start();
      sim.kernel.work(2_000_000);
      const v = set.readValues();
      assert.equal(v[0]!.substitutedFrom, 'cycles');
      assert.equal(v[0]!.unit, 'ns');
      assert.ok(v[0]!.value > 0n);
      set.close();
      assert.equal(sim.kernel.openFdCount(), 0);
    });
  });

  it('resolves an event name once per add(), and a Sampler once per open', () => {
    const sim = simulate('mainline-6.18', { clock: 'manual' });
    const map = getCapabilities({ ...sim, cache: false });
    const resolve = sinon.spy(parseList, 'resolveEvent');
    try {
      const set = new EventSet({ kernel: sim.kernel, capabilities: map });
      try {
        set.add('task-clock').add('page-faults');
        assert.equal(resolve.callCount, 2);
      } finally { set.close(); }
      resolve.resetHistory();
      const s = new Sampler('cpu-clock', { kernel: sim.kernel, capabilities: map, period: 100000n });
      s.close();
      assert.equal(resolve.callCount, 1);
    } finally { resolve.restore(); }
  });
});

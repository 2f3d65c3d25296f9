import assert from 'node:assert/strict';
import sinon from 'sinon';
import { Sampler, cyclesToPerfTime } from '../../../src/shim/sampler';
import { PERF_SAMPLE, PERF_TYPE } from '../../../src/abi/constants';
import { PerfcompatError } from '../../../src/errors';
import type { CapabilityMap, FeatureEntry } from '../../../src/model/capability-map';
import { simulate } from '../../sim';
import type { SampleRecord } from '../../../src/abi/records';

const CPU_CLOCK = { type: PERF_TYPE.SOFTWARE, config: 0, name: 'cpu-clock' };

/** A capability map holding only the entries a test is about (the sampler reads nothing else). */
function mapWith(env: CapabilityMap['environment'], features: Record<string, FeatureEntry>): CapabilityMap {
  return {
    schema: 'perfcompat/capabilities@1', engineVersion: 'test', environment: env, features,
    kernel: { release: 'sim', version: 'sim', machine: 'x86_64', semver: null }, durationMs: 0, createdAt: '', source: 'probe',
  };
}

describe('shim/sampler on simulated kernels', () => {
  it('samples cpu-clock on a 6.18 kernel: records decode, carry this pid, times increase, clock is monotonic via use_clockid', () => {
    const sim = simulate('mainline-6.18');
    const cap = mapWith(sim.environment, {});
    const s = new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: cap, period: 1_000_000n, pages: 4 });
    try {
      assert.deepEqual(s.timeBase, { kind: 'clock', clock: 'monotonic' });
      assert.equal(s.layout.sampleIdAll, true);
      sim.kernel.work(20_000_000);
      const recs = s.drain().filter((r): r is SampleRecord => r.kind === 'sample');
      // The simulated clock also advances with real time, so at least the 20 ms of work worth.
      const expected = Math.floor(sim.kernel.event(s.event.fd)!.count / 1_000_000);
      assert.ok(recs.length >= 20 && recs.length === expected, `${recs.length} samples for ${expected} periods`);
      for (const r of recs) assert.equal(r.pid, process.pid);
      for (let i = 1; i < recs.length; i++) assert.ok(recs[i]!.time! >= recs[i - 1]!.time!);
      assert.deepEqual(s.drain(), [], 'nothing is read twice');
      assert.equal(s.stats.records, recs.length);
    } finally {
      s.close();
    }
    assert.equal(sim.kernel.openFdCount(), 0, 'close() releases the fd');
    assert.ok(sim.kernel.calls.some((c) => c.call === 'munmap'), 'and unmaps the ring');
  });

  it('on 3.10 (no use_clockid, no map entry) retries once on the perf clock and says so; times are then marked raw', () => {
    const sim = simulate('mainline-3.10');
    const s = new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: mapWith(sim.environment, {}), period: 1_000_000n, pages: 1 });
    try {
      assert.ok(s.adaptations.some((a) => a.what === 'dropped use_clockid' && a.errnoName === 'EINVAL'));
      // Without use_clockid, times are either estimated against CLOCK_MONOTONIC or marked raw — never claimed exact.
      assert.notEqual(s.timeBase.kind, 'clock');
      sim.kernel.work(3_000_000);
      assert.ok(s.drain().filter((r) => r.kind === 'sample').length >= 3);
    } finally {
      s.close();
    }
    assert.equal(sim.kernel.openFdCount(), 0);
  });

  it('follows the map: use_clockid unsupported → the shim drops it before any syscall', () => {
    const sim = simulate('mainline-3.10');
    const cap = mapWith(sim.environment, { 'attr.use_clockid': { status: 'unsupported', errno: 22, errnoName: 'EINVAL' } });
    const s = new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: cap, pages: 1 });
    try {
      assert.ok(s.adaptations.some((a) => a.featureId === 'attr.use_clockid'));
      // One open for the event (no EINVAL retry), then possibly the calibration event.
      assert.ok(!sim.kernel.calls.some((c) => c.call === 'perf_event_open' && (c.result as { errno?: number }).errno !== undefined));
      assert.notEqual(s.timeBase.kind, 'clock');
    } finally {
      s.close();
    }
  });

  it('reads forward when the map says write_backward is unsupported, and refuses under strict policy', () => {
    const sim = simulate('mainline-4.1');
    const cap = mapWith(sim.environment, { 'attr.write_backward': { status: 'unsupported', errno: 22, errnoName: 'EINVAL' } });
    const s = new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: cap, backward: true, pages: 1, clockid: null });
    try {
      assert.equal(s.backward, false);
      assert.ok(s.adaptations.some((a) => a.featureId === 'attr.write_backward' && /forward/.test(a.what)));
    } finally {
      s.close();
    }
    assert.throws(() => new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: cap, backward: true, policy: { strict: true } }),
      (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_ADAPTATION_REFUSED');
    assert.equal(sim.kernel.openFdCount(), 0);
  });

  it('counts PERF_RECORD_LOST when the ring overflows', () => {
    const sim = simulate('mainline-6.18');
    const s = new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: mapWith(sim.environment, {}), period: 1000n, pages: 1 });
    try {
      sim.kernel.work(1_000_000); // 1000 samples into a 4 KiB ring: most are lost
      const first = s.drain();
      assert.ok(first.length > 0 && first.length < 1000);
      sim.kernel.work(1000); // room again: the kernel reports the loss
      const second = s.drain();
      assert.ok(second.some((r) => r.kind === 'lost'));
      assert.ok(s.lost > 0n);
      const periods = BigInt(Math.floor(sim.kernel.event(s.event.fd)!.count / 1000));
      const delivered = BigInt([...first, ...second].filter((r) => r.kind === 'sample').length);
      // The simulated kernel caps the samples one work() call writes, so lost + delivered is at most the periods counted.
      assert.ok(delivered + s.stats.lost <= periods && s.stats.lost >= 1n, `${delivered} delivered + ${s.stats.lost} lost vs ${periods} periods`);
      assert.equal(s.stats.lossEvents, second.filter((r) => r.kind === 'lost').length);
    } finally {
      s.close();
    }
  });

  it('closes the fd when the ring cannot be mapped and says which pages failed', () => {
    const sim = simulate('mainline-6.18', { remove: ['mmap.ring_buffer'] });
    assert.throws(() => new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: mapWith(sim.environment, {}), pages: 2 }),
      (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_KERNEL' && /mmap of 3 pages/.test(e.message));
    assert.equal(sim.kernel.openFdCount(), 0);
  });

  it('iterates with for await on a kernel without watchReadable (timer polling) and ends on close()', async () => {
    const sim = simulate('mainline-6.18');
    const s = new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: mapWith(sim.environment, {}), period: 1_000_000n, pages: 2, wakeupEvents: 1 });
    const timer = setInterval(() => sim.kernel.work(2_000_000), 5);
    const guard = setTimeout(() => s.close(), 10000); // never hang: a reader not woken ends with too few samples
    const got: SampleRecord[] = [];
    try {
      for await (const r of s) {
        if (r.kind === 'sample') got.push(r);
        if (got.length >= 6) break;
      }
    } finally {
      clearTimeout(guard);
      clearInterval(timer);
      s.close();
    }
    assert.equal(got.length, 6);
    // After close the iterator ends immediately.
    const after: unknown[] = [];
    for await (const r of s) after.push(r);
    assert.deepEqual(after, []);
    assert.throws(() => s.drain(), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_CLOSED');
  });

  it('rejects bad options before opening anything', () => {
    const sim = simulate('mainline-6.18');
    const k = { kernel: sim.kernel, capabilities: mapWith(sim.environment, {}) };
    assert.throws(() => new Sampler(CPU_CLOCK, { ...k, pages: 3 }), /power of two/);
    assert.throws(() => new Sampler(CPU_CLOCK, { ...k, period: 10, frequency: 100 }), /not both/);
    assert.throws(() => new Sampler(CPU_CLOCK, { ...k, sampleType: ['ip', 'bogus'] }), /bogus/);
    assert.throws(() => new Sampler(CPU_CLOCK, { ...k, clockid: 'sundial' as never }), /clockid/);
    assert.equal(sim.kernel.calls.filter((c) => c.call === 'perf_event_open').length, 0);
  });

  it('takes sample_type as names and adds CALLCHAIN for callchain: true', () => {
    const sim = simulate('mainline-6.18');
    const s = new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: mapWith(sim.environment, {}), sampleType: ['ip', 'time'], callchain: true, pages: 1 });
    try {
      assert.equal(BigInt(s.layout.sampleType), PERF_SAMPLE.IP! | PERF_SAMPLE.TIME! | PERF_SAMPLE.CALLCHAIN!);
      sim.kernel.work(2_000_000);
      const r = s.drain().find((x): x is SampleRecord => x.kind === 'sample')!;
      assert.ok(r.callchain instanceof BigUint64Array && r.callchain.length > 0);
    } finally {
      s.close();
    }
  });
});

describe('shim/sampler time conversion by the control page', () => {
  it('cyclesToPerfTime applies time_zero + (cyc >> shift) * mult + ((cyc & mask) * mult >> shift)', () => {
    const t = { timeZero: 1000n, timeMult: 3, timeShift: 2 };
    // cycles 10: quot 2, rem 2 → 1000 + 6 + (6 >> 2 = 1) = 1007
    assert.equal(cyclesToPerfTime(10n, t), 1007n);
    // No overflow of a 64-bit product for large cycle counts.
    const big = { timeZero: 0n, timeMult: 1 << 30, timeShift: 31 };
    assert.equal(cyclesToPerfTime(1n << 62n, big), (1n << 62n) / 2n);
  });
});

describe('shim/sampler overwrite mode on a simulated kernel', () => {
  it('maps read-only, pauses output around each read, and returns the newest samples oldest first', () => {
    const sim = simulate('mainline-6.18');
    const cap = mapWith(sim.environment, { 'attr.write_backward': { status: 'supported' } });
    const s = new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: cap, backward: true, period: 1_000_000n, pages: 1, sampleType: ['ip', 'tid', 'time'] });
    try {
      assert.equal(s.backward, true);
      const mmap = sim.kernel.calls.find((c) => c.call === 'mmap')!;
      assert.equal(mmap.args[2], 1, 'PROT_READ only: the kernel overwrites instead of stopping at data_tail');
      for (let i = 0; i < 500; i++) sim.kernel.work(1_000_000); // far more samples than one page holds, each at its own time
      const recs = s.drain().filter((r): r is SampleRecord => r.kind === 'sample');
      assert.ok(recs.length > 10 && recs.length < 500, `${recs.length} samples kept of 500`);
      // Samples of one simulated work() call share a time stamp: non-decreasing, and the ends differ.
      for (let i = 1; i < recs.length; i++) assert.ok(recs[i]!.time! >= recs[i - 1]!.time!, 'oldest first');
      assert.ok(recs.at(-1)!.time! > recs[0]!.time!);
      const pauses = sim.kernel.calls.filter((c) => c.call === 'ioctl' && c.args[1] === 'pause_output').map((c) => c.args[2]);
      assert.deepEqual(pauses.slice(-2), [1, 0], 'output paused for the read, then resumed');
      sim.kernel.work(3_000_000);
      const more = s.drain().filter((r): r is SampleRecord => r.kind === 'sample');
      assert.ok(more.length >= 3 && more[0]!.time! > recs.at(-1)!.time!, 'the next read returns only newer samples');
    } finally {
      s.close();
    }
    assert.equal(sim.kernel.openFdCount(), 0);
  });
});

describe('shim/sampler wake-ups through Kernel.watchReadable', () => {
  it('waits on the watch (ref while waiting, unref after), drains on each wake-up, stops the watch before closing the fd', async () => {
    const sim = simulate('mainline-6.18');
    const order: string[] = [];
    let fire: (() => void) | undefined;
    const watch = {
      stop: sinon.spy(() => order.push('stop')),
      ref: sinon.spy(),
      unref: sinon.spy(),
    };
    const kernel = Object.create(sim.kernel) as typeof sim.kernel & { watchReadable: (fd: number, cb: () => void) => typeof watch };
    kernel.watchReadable = sinon.spy((_fd: number, cb: () => void) => {
      fire = cb;
      return watch;
    });
    const close = kernel.close.bind(kernel);
    kernel.close = (fd: number) => {
      order.push('close');
      return close(fd);
    };
    const s = new Sampler(CPU_CLOCK, { kernel, capabilities: mapWith(sim.environment, {}), period: 1_000_000n, pages: 1 });
    const it = s[Symbol.asyncIterator]();
    const pending = it.next(); // nothing in the ring yet: waits on the watch
    await new Promise((r) => setImmediate(r));
    assert.equal((kernel.watchReadable as sinon.SinonSpy).callCount, 1);
    assert.equal((kernel.watchReadable as sinon.SinonSpy).firstCall.args[0], s.event.fd);
    assert.equal(watch.ref.callCount, 1, 'the wait keeps Node alive');
    sim.kernel.work(3_000_000);
    fire!();
    const first = await pending;
    assert.equal(first.done, false);
    assert.equal((first.value as SampleRecord).kind, 'sample');
    assert.equal(watch.unref.callCount, 1, 'no longer waiting: Node may exit');
    s.close();
    assert.deepEqual(order.filter((x) => x === 'stop' || x === 'close').slice(0, 2), ['stop', 'close'], 'the watch stops before its fd closes');
    // The iteration ends at close(), even with records of the last read not yet handed out.
    let n = 0;
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      n++;
    }
    assert.equal(n, 0);
  });
});

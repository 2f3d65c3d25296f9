/**
 * SimKernel's counts and times (sim-time.ts, sim-read.ts): work(ns) counts for
 * enabled events, group reads, the NMI watchdog's counter, multiplexing,
 * pinned groups in error state, persona quirks, enable_on_exec, and the real
 * clock that lets wall time count.
 */
import assert from 'node:assert/strict';
import { ERRNO, PERF_FORMAT, decodeRead, readSize, PR_TASK_PERF_EVENTS_DISABLE } from '../../../src/abi';
import { simulate } from '../../sim';
import { MANUAL, SW_CPU_CLOCK, HW_CYCLES, open, fdOf, errnoOf, ioc, readOne } from './sim-kernel-calls';

describe('SimKernel: counting, groups and multiplexing', () => {
  const FMT = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;

  it('counts work of enabled events only; reset zeroes; disable stops', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, disabled: 1, read_format: FMT }));
    kernel.work(1000);
    assert.equal(readOne(kernel, fd, FMT).values[0]!.value, 0n);
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'enable')), { value: 0 });
    kernel.work(5000);
    const r = readOne(kernel, fd, FMT);
    assert.equal(r.values[0]!.value, 5000n);
    assert.equal(r.timeEnabled, 5000n);
    assert.equal(r.timeRunning, 5000n);
    kernel.ioctl(fd, ioc(kernel, 'reset'));
    assert.equal(readOne(kernel, fd, FMT).values[0]!.value, 0n);
    kernel.ioctl(fd, ioc(kernel, 'disable'));
    kernel.work(5000);
    assert.equal(readOne(kernel, fd, FMT).values[0]!.value, 0n);
  });

  it('a too-short read buffer is ENOSPC', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, read_format: FMT }));
    assert.deepEqual(kernel.read(fd, Buffer.alloc(16)), { errno: ERRNO.ENOSPC });
  });

  it('prctl disables all task counters', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, SW_CPU_CLOCK));
    kernel.prctl(PR_TASK_PERF_EVENTS_DISABLE);
    kernel.work(1000);
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 0n);
  });

  it('reads a whole group with PERF_FORMAT_GROUP', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fmt = PERF_FORMAT.GROUP | PERF_FORMAT.ID | FMT;
    const leader = fdOf(open(kernel, { ...SW_CPU_CLOCK, disabled: 1, read_format: fmt }));
    fdOf(open(kernel, { ...SW_CPU_CLOCK, config: 1, read_format: fmt }, { group: leader }));
    kernel.ioctl(leader, ioc(kernel, 'enable'), 1);
    kernel.work(2000);
    const r = readOne(kernel, leader, fmt, 2);
    assert.equal(r.values.length, 2);
    assert.deepEqual(r.values.map((v) => v.value), [2000n, 2000n]);
  });

  it('with the NMI watchdog holding a counter, a group of 4 opens but never runs; 3 runs', () => {
    const { kernel } = simulate('nmi-watchdog', MANUAL);
    const fmt = PERF_FORMAT.GROUP | FMT;
    const mk = (n: number): number => {
      const leader = fdOf(open(kernel, { ...HW_CYCLES, read_format: fmt, disabled: 1 }));
      for (let i = 1; i < n; i++) fdOf(open(kernel, { ...HW_CYCLES, config: i, read_format: fmt }, { group: leader }));
      return leader;
    };
    const big = mk(4);
    assert.equal(errnoOf(open(kernel, { ...HW_CYCLES, config: 5, read_format: fmt }, { group: big })), ERRNO.EINVAL);
    kernel.ioctl(big, ioc(kernel, 'enable'), 1);
    kernel.work(1000);
    const r = readOne(kernel, big, fmt, 4);
    assert.equal(r.timeEnabled, 1000n);
    assert.equal(r.timeRunning, 0n);
    assert.ok(r.values.every((v) => v.value === 0n));
    kernel.ioctl(big, ioc(kernel, 'disable'), 1);
    const small = mk(3);
    kernel.ioctl(small, ioc(kernel, 'enable'), 1);
    kernel.work(1000);
    const s = readOne(kernel, small, fmt, 3);
    assert.equal(s.timeRunning, 1000n);
    assert.ok(s.values[0]!.value > 0n);
  });

  it('multiplexes groups that together exceed the counters', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fds = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => fdOf(open(kernel, { ...HW_CYCLES, config: i % 6, read_format: FMT })));
    kernel.work(8000);
    const r = readOne(kernel, fds[0]!, FMT);
    assert.equal(r.timeEnabled, 8000n);
    assert.equal(r.timeRunning, 4000n);
  });

  it('a pinned group that cannot be scheduled reads 0 bytes', () => {
    const { kernel } = simulate('nmi-watchdog', MANUAL);
    const fmt = PERF_FORMAT.GROUP;
    const leader = fdOf(open(kernel, { ...HW_CYCLES, pinned: 1, read_format: fmt }));
    for (let i = 1; i < 4; i++) fdOf(open(kernel, { ...HW_CYCLES, config: i, read_format: fmt }, { group: leader }));
    kernel.work(1000);
    assert.deepEqual(kernel.read(leader, Buffer.alloc(128)), { bytes: 0 });
  });

  it('quirks: hardware counts zeros, FORMAT_GROUP returns only the leader, RESET does nothing', () => {
    const { kernel } = simulate('quirky-pmu', MANUAL);
    const fmt = PERF_FORMAT.GROUP | FMT;
    const leader = fdOf(open(kernel, { ...SW_CPU_CLOCK, read_format: fmt }));
    fdOf(open(kernel, { ...HW_CYCLES, read_format: fmt }, { group: leader }));
    kernel.work(1000);
    const buf = Buffer.alloc(256);
    const r = kernel.read(leader, buf);
    assert.ok('bytes' in r);
    assert.equal(r.bytes, readSize(fmt, 1));
    assert.equal(decodeRead(buf, fmt, r.bytes).values.length, 1);
    const hw = fdOf(open(kernel, { ...HW_CYCLES, read_format: FMT }));
    kernel.work(1000);
    const h = readOne(kernel, hw, FMT);
    assert.equal(h.values[0]!.value, 0n);
    assert.equal(h.timeRunning, 1000n);
    kernel.ioctl(leader, ioc(kernel, 'reset'));
    assert.ok(readOne(kernel, leader, fmt, 1).values[0]!.value > 0n);
  });

  it('enable_on_exec events wait for exec()', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, { ...SW_CPU_CLOCK, disabled: 1, enable_on_exec: 1 }));
    kernel.work(100);
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 0n);
    kernel.exec();
    kernel.work(100);
    assert.equal(readOne(kernel, fd, 0n).values[0]!.value, 100n);
  });
});

describe('SimKernel: real clock', () => {
  it('by default lets wall time between calls count, so spin-then-read code sees counts grow', () => {
    const { kernel } = simulate('mainline-6.18');
    const fd = fdOf(open(kernel, SW_CPU_CLOCK));
    const until = Date.now() + 5;
    while (Date.now() < until) { /* spin */ }
    assert.ok(readOne(kernel, fd, 0n).values[0]!.value >= 4_000_000n);
  });
});

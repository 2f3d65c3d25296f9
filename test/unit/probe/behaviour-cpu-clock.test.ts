/**
 * The CPU clock behaviour work is measured by: the calling thread's where the
 * kernel seam offers one (what a task clock on pid 0 counts), else the process's.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { cpuClock, spinCpu } from '../../../src/probe/behaviour-context';

describe('probe/behaviour cpu clock', () => {
  afterEach(() => sinon.restore());

  it('reads the seam\'s thread clock when the kernel has one', () => {
    const threadCpuNs = sinon.stub().onFirstCall().returns(5n).onSecondCall().returns(7_000_005n);
    const clock = cpuClock({ threadCpuNs });
    assert.equal(clock(), 5n);
    assert.equal(clock(), 7_000_005n);
    assert.equal(threadCpuNs.callCount, 2);
  });

  it('falls back to the process\'s CPU time (µs → ns) without one', () => {
    sinon.stub(process, 'cpuUsage').returns({ user: 1500, system: 250 });
    assert.equal(cpuClock({})(), 1_750_000n);
  });

  it('spinCpu spins until the given clock has advanced by the asked ms, and no longer', () => {
    let now = 0n;
    const clock = sinon.spy(() => { now += 1_000_000n; return now; });
    spinCpu(10, clock);
    // one read for the start, then one per round until 10 ms have passed on that clock
    assert.equal(clock.callCount, 11);
  });

  it('spinCpu refuses a cpu_ms outside 0..10000, naming it', () => {
    assert.throws(() => spinCpu(-1, () => 0n), /cpu_ms -1: expected 0\.\.10000/);
    assert.throws(() => spinCpu(Number.NaN, () => 0n), /cpu_ms NaN/);
  });
});

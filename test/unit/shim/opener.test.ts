/**
 * The shim opens through one fd scope: an EventSet's events, a lone event
 * and a Sampler's event and ring are tracked by a scope, so that nothing
 * stays open after a failed add, a failed open, close(), or an exception
 * half-way through a constructor. Counted on a simulated kernel.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ERRNO } from '../../../src/abi/errno';
import { F_SETFD, FD_CLOEXEC } from '../../../src/abi/ioctl';
import { PERF_FLAG, PERF_TYPE } from '../../../src/abi/constants';
import { PerfcompatError } from '../../../src/errors';
import type { CapabilityMap, FeatureEntry } from '../../../src/model/capability-map';
import { statusOfErrno } from '../../../src/model/errno-class';
import * as adapt from '../../../src/shim/adapt';
import { EventSet } from '../../../src/shim/event-set';
import { openEvent } from '../../../src/shim/perf-event';
import { Sampler } from '../../../src/shim/sampler';
import { planSampler } from '../../../src/shim/sampler-plan';
import { simulate } from '../../sim';

const CPU_CLOCK = { type: PERF_TYPE.SOFTWARE, config: 0, name: 'cpu-clock' };
const TASK_CLOCK = { type: PERF_TYPE.SOFTWARE, config: 1, name: 'task-clock' };
/** A software config no kernel has: the kernel refuses it. */
const NO_SUCH_SOFTWARE = { type: PERF_TYPE.SOFTWARE, config: 999, name: 'no-such-software' };

function mapWith(env: CapabilityMap['environment'], features: Record<string, FeatureEntry> = {}): CapabilityMap {
  return {
    schema: 'perfcompat/capabilities@1', engineVersion: 'test', environment: env, features,
    kernel: { release: 'sim', version: 'sim', machine: 'x86_64', semver: null }, durationMs: 0, createdAt: '', source: 'probe',
  };
}

function errnoOf(r: unknown): number | undefined {
  return (r as { errno?: number }).errno;
}

function held(sim: ReturnType<typeof simulate>): { fds: number; mappings: number } {
  return { fds: sim.kernel.openFdCount(), mappings: sim.kernel.openMappingCount() };
}

describe('shim/opener: every fd and mapping through a scope (simulated kernel)', () => {
  afterEach(() => sinon.restore());

  it('a lone event: a refused open, a failed fcntl and close() leave nothing open', () => {
    const sim = simulate('mainline-6.18');
    const map = mapWith(sim.environment);
    assert.throws(() => openEvent(NO_SUCH_SOFTWARE, { kernel: sim.kernel, capabilities: map }), PerfcompatError);
    assert.deepEqual(held(sim), { fds: 0, mappings: 0 });
    const fcntl = sinon.stub(sim.kernel, 'fcntl').returns({ errno: ERRNO.EBADF! });
    assert.throws(() => openEvent(TASK_CLOCK, { kernel: sim.kernel, capabilities: mapWith(sim.environment, { 'open_flags.fd_cloexec': { status: 'unsupported', errno: 22, errnoName: 'EINVAL' } }) }),
      (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_KERNEL' && /fcntl\(FD_CLOEXEC\) failed with EBADF/.test(e.message));
    assert.equal(held(sim).fds, 0, 'the fd whose fcntl failed is closed');
    fcntl.restore();
    const ev = openEvent(TASK_CLOCK, { kernel: sim.kernel, capabilities: map });
    assert.equal(held(sim).fds, 1);
    ev.close();
    ev.close();
    assert.deepEqual(held(sim), { fds: 0, mappings: 0 });
  });

  it('a lone event: an exception while the PerfEvent is built closes the fd just opened', () => {
    const sim = simulate('mainline-6.18');
    const map = mapWith(sim.environment);
    // An architecture without perf ioctl numbers: the open works, building the event throws.
    const kernel = Object.create(sim.kernel, { arch: { value: 'vax' } }) as typeof sim.kernel;
    assert.throws(() => openEvent(TASK_CLOCK, { kernel, capabilities: map }), /unsupported architecture "vax"/);
    assert.ok(sim.kernel.calls.some((c) => c.call === 'perf_event_open' && 'fd' in (c.result as object)), 'the open itself worked');
    assert.deepEqual(held(sim), { fds: 0, mappings: 0 });
  });

  for (const group of [true, false]) {
    it(`an EventSet (${group ? 'group' : 'per-event'} reads): failed adds leave the set's other fds and nothing else; close() releases all`, () => {
      const sim = simulate('mainline-6.18');
      const map = mapWith(sim.environment, group ? {} : { 'read_format.group': { status: 'unsupported', errno: 22, errnoName: 'EINVAL' } });
      const set = new EventSet({ kernel: sim.kernel, capabilities: map });
      set.add(TASK_CLOCK).add(CPU_CLOCK);
      assert.equal(set.readPath, group ? 'group' : 'per-event');
      assert.equal(held(sim).fds, 2);
      assert.throws(() => set.add(NO_SUCH_SOFTWARE), PerfcompatError); // the kernel refuses
      assert.throws(() => set.add({ ...TASK_CLOCK, config4: 1 } as never), PerfcompatError); // refused before any syscall
      // The event opens, then binding its read throws: the add fails and its fd is closed again.
      const bind = sinon.stub(sim.kernel, 'bindRead').throws(new RangeError('bindRead: injected failure'));
      assert.throws(() => set.add(TASK_CLOCK), /injected failure/);
      bind.restore();
      assert.equal(held(sim).fds, 2);
      assert.equal(set.size, 2);
      assert.deepEqual(set.names, ['task-clock', 'cpu-clock']);
      set.start();
      sim.kernel.work(1_000_000);
      const v = set.stop();
      assert.ok(v[0]! > 0 && v[1]! > 0, 'the set still reads after the failed adds');
      set.add(TASK_CLOCK);
      assert.equal(held(sim).fds, 3);
      set.close();
      set.close();
      assert.deepEqual(held(sim), { fds: 0, mappings: 0 });
    });
  }

  it('EventSet.add plans each event once', () => {
    const sim = simulate('mainline-6.18');
    const set = new EventSet({ kernel: sim.kernel, capabilities: mapWith(sim.environment) });
    try {
      const plan = sinon.spy(adapt, 'planOpen');
      set.add(TASK_CLOCK).add(CPU_CLOCK).add('page-faults');
      assert.equal(plan.callCount, 3);
      // A member joins its leader's group enabled (the leader starts it), the leader starts disabled.
      const opens = sim.kernel.calls.filter((c) => c.call === 'perf_event_open');
      assert.equal(set.events[0]!.attr.disabled, 1);
      assert.equal(set.events[1]!.attr.disabled, 0);
      assert.equal(opens.length, 3);
    } finally {
      set.close();
    }
  });

  it('a Sampler: a refused mmap, an exception after the ring is mapped, and close() leave nothing open', () => {
    const sim = simulate('mainline-6.18');
    const map = mapWith(sim.environment);
    const mmap = sinon.stub(sim.kernel, 'mmap').returns({ errno: ERRNO.EPERM! });
    assert.throws(() => new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: map, pages: 2 }), /mmap of 3 pages/);
    mmap.restore();
    assert.deepEqual(held(sim), { fds: 0, mappings: 0 });
    const ioctl = sinon.stub(sim.kernel, 'ioctl').throws(new Error('ioctl: injected failure'));
    assert.throws(() => new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: map, pages: 2 }), /injected failure/);
    ioctl.restore();
    assert.deepEqual(held(sim), { fds: 0, mappings: 0 });
    const s = new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: map, pages: 2 });
    assert.deepEqual(held(sim), { fds: 1, mappings: 1 });
    s.close();
    s.close();
    assert.deepEqual(held(sim), { fds: 0, mappings: 0 });
  });

  it('the Sampler\'s use_clockid retry is a plan row keyed by the errno table, asked through the scope', () => {
    const sim = simulate('mainline-3.10');
    // What a probe of 3.10 says of the flag; nothing of use_clockid.
    const map = mapWith(sim.environment, { 'open_flags.fd_cloexec': { status: 'unsupported', reason: 'accepted but ignored' } });
    const plan = planSampler(CPU_CLOCK, { pages: 1 }, map, 4096);
    assert.equal(plan.retries.length, 1);
    assert.equal(plan.retries[0]!.when, statusOfErrno(ERRNO.EINVAL!));
    assert.deepEqual(plan.retries[0]!.without, ['use_clockid', 'clockid']);
    const s = new Sampler(CPU_CLOCK, { kernel: sim.kernel, capabilities: map, pages: 1 });
    try {
      const opens = sim.kernel.calls.filter((c) => c.call === 'perf_event_open');
      assert.ok(opens.length >= 2, 'asked with use_clockid, then without');
      assert.equal(errnoOf(opens[0]!.result), ERRNO.EINVAL);
      assert.notEqual(s.event.attr.use_clockid, 1);
      assert.ok(s.adaptations.some((a) => a.what === 'dropped use_clockid' && a.errnoName === 'EINVAL'));
      // Close-on-exec by fcntl (the flag is unsupported) for the retried fd too.
      const setfd = sim.kernel.calls.filter((c) => c.call === 'fcntl' && c.args[1] === F_SETFD);
      assert.ok(setfd.some((c) => c.args[0] === s.event.fd && ((c.args[2] as number) & FD_CLOEXEC) !== 0));
      assert.equal((opens[1]!.args[4] as number) & PERF_FLAG.FD_CLOEXEC, 0);
    } finally {
      s.close();
    }
    assert.deepEqual(held(sim), { fds: 0, mappings: 0 });
  });

  it('a no-use_clockid retry that fails too leaves nothing open', () => {
    const sim = simulate('mainline-3.10');
    const map = mapWith(sim.environment);
    assert.throws(() => new Sampler(NO_SUCH_SOFTWARE, { kernel: sim.kernel, capabilities: map, pages: 1 }), PerfcompatError);
    assert.deepEqual(held(sim), { fds: 0, mappings: 0 });
  });
});

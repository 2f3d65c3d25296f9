/**
 * The shim on simulated personas: the code path it takes follows the map
 * (fallbacks, close-on-exec through fcntl, group splits, per-event reads),
 * every adaptation is recorded, and counters count.
 */
import assert from 'node:assert/strict';
import { ERRNO, F_SETFD, PERF_FLAG } from '../../../src/abi';
import { getCapabilities } from '../../../src/root';
import { openEvent, EventSet, shimPathFor } from '../../../src/shim';
import { PerfcompatError } from '../../../src/errors';
import * as capabilitiesModule from '../../../src/probe/capabilities';
import sinon from 'sinon';
import { simulate, SimKernel } from '../../sim';

function setup(name: string, overrides = {}) {
  const sim = simulate(name, overrides);
  const map = getCapabilities({ ...sim, behaviour: true });
  sim.kernel.calls.length = 0;
  return { ...sim, map };
}

function spin(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) { /* work */ }
}

function opensAfterProbe(k: SimKernel): Array<{ flags: number }> {
  return k.calls.filter((c) => c.call === 'perf_event_open' && 'fd' in (c.result as object)).map((c) => ({ flags: c.args[4] as number }));
}

describe('shim on simulated personas', function () {
  this.timeout(120_000);

  it('mainline 3.10: opens without FD_CLOEXEC and sets it with fcntl, recording the adaptation', () => {
    const { kernel, map } = setup('mainline-3.10');
    assert.match(shimPathFor('open_flags.fd_cloexec', map)!, /fcntl/);
    const ev = openEvent('cpu-clock', { kernel, capabilities: map });
    try {
      const opens = opensAfterProbe(kernel);
      assert.equal(opens.length, 1);
      assert.equal(opens[0]!.flags & PERF_FLAG.FD_CLOEXEC, 0);
      assert.ok(kernel.calls.some((c) => c.call === 'fcntl' && c.args[1] === F_SETFD));
      assert.ok(ev.adaptations.some((a) => a.featureId === 'open_flags.fd_cloexec'));
      assert.equal(kernel.event(ev.fd)!.cloexec, true);
    } finally { ev.close(); }
    assert.equal(kernel.openFdCount(), 0);
  });

  it('mainline 6.18: opens with FD_CLOEXEC and no adaptation; the count grows with work', () => {
    const { kernel, map } = setup('mainline-6.18');
    const ev = openEvent('cpu-clock', { kernel, capabilities: map });
    try {
      assert.deepEqual(ev.adaptations, []);
      assert.equal(opensAfterProbe(kernel)[0]!.flags & PERF_FLAG.FD_CLOEXEC, PERF_FLAG.FD_CLOEXEC);
      ev.enable();
      spin(3);
      assert.ok(ev.readCount().value > 0n);
    } finally { ev.close(); }
  });

  it('VM without PMU: a hardware event throws without a fallback and is replaced by a software stand-in with one', () => {
    const { kernel, map } = setup('vm-no-pmu');
    assert.throws(() => openEvent('cycles', { kernel, capabilities: map }), PerfcompatError);
    const ev = openEvent('cycles', { kernel, capabilities: map, policy: { fallback: 'software' } });
    try {
      const a = ev.adaptations.find((x) => x.featureId === 'event.hardware.cpu_cycles');
      assert.ok(a, 'the substitution is recorded');
      assert.equal(a.errno, ERRNO.ENOENT);
      assert.equal(kernel.event(ev.fd)!.kind, 'software');
    } finally { ev.close(); }
    assert.equal(kernel.openFdCount(), 0);
  });

  it('paranoid 2 unprivileged: kernel counting is excluded with a recorded adaptation, and :k is refused', () => {
    const { kernel, map } = setup('paranoid2-user');
    const ev = openEvent('cpu-clock', { kernel, capabilities: map });
    try {
      assert.ok(ev.adaptations.some((a) => a.featureId === 'access.kernel'));
      assert.equal(kernel.event(ev.fd)!.attr.exclude_kernel, 1);
    } finally { ev.close(); }
    assert.throws(() => openEvent('instructions:k', { kernel, capabilities: map }), PerfcompatError);
    assert.throws(() => openEvent('cpu-clock', { kernel, capabilities: map, policy: { strict: true } }), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_ADAPTATION_REFUSED');
  });

  it('without a map, a simulated kernel given with its environment and uname is probed as that box, not this machine', () => {
    const probe = sinon.spy(capabilitiesModule, 'getCapabilities');
    try {
      const sim = simulate('paranoid2-user');
      const ev = openEvent('task-clock', sim);
      try {
        assert.ok(ev.adaptations.some((a) => a.featureId === 'access.kernel'), JSON.stringify(ev.adaptations));
      } finally { ev.close(); }
      const asked = probe.lastCall.args[0]!;
      assert.equal(asked.kernel, sim.kernel);
      assert.equal(asked.environment, sim.environment, 'the persona\'s environment, not readEnvironment() of this machine');
      assert.deepEqual(asked.uname, sim.uname);
      // Error messages then describe the simulated box: its PMUs, in its order.
      const vm = simulate('vm-no-pmu');
      const set = new EventSet(vm);
      try {
        assert.throws(() => set.add('cycles'), (e: unknown) => e instanceof PerfcompatError
          && e.message.includes(`PMUs here: ${vm.environment.pmus.map((p) => p.name).join(', ')};`));
      } finally { set.close(); }
    } finally { probe.restore(); }
  });

  it('EventSet.forCommand passes a simulated kernel\'s environment and uname to the engine too', async () => {
    const probe = sinon.spy(capabilitiesModule, 'getCapabilities');
    try {
      const sim = simulate('mainline-6.18');
      const r = await EventSet.forCommand(['true'], { ...sim, stdio: 'ignore', events: ['task-clock'] });
      assert.equal(r.exitCode, 0);
      const asked = probe.lastCall.args[0]!;
      assert.equal(asked.kernel, sim.kernel);
      assert.equal(asked.environment, sim.environment);
      assert.deepEqual(asked.uname, sim.uname);
    } finally { probe.restore(); }
  });

  it('NMI watchdog: EventSet splits hardware events into groups of 3, and every group runs', () => {
    const { kernel, map } = setup('nmi-watchdog');
    const set = new EventSet({ kernel, capabilities: map });
    try {
      for (const e of ['cycles', 'instructions', 'branches', 'branch-misses', 'cache-misses']) set.add(e);
      assert.ok(set.groups.every((g) => g.length <= 3), JSON.stringify(set.groups));
      assert.ok(set.splits.length > 0);
      set.start();
      spin(3);
      set.stop();
      for (const v of set.readValues()) assert.ok(v.timeRunning > 0n, `${v.name} never ran`);
    } finally { set.close(); }
    assert.equal(kernel.openFdCount(), 0);
  });

  it('broken FORMAT_GROUP reads: EventSet reads one read() per event', () => {
    const { kernel, map } = setup('quirky-pmu');
    assert.equal(map.features['behaviour.group_read']?.status, 'broken');
    const set = new EventSet({ kernel, capabilities: map });
    try {
      assert.equal(set.readPath, 'per-event');
      set.add('cpu-clock').add('task-clock');
      set.start();
      spin(2);
      set.stop();
      assert.ok(set.readValues().every((v) => v.value > 0n));
    } finally { set.close(); }
  });

  it('Debian 5.10 with PERF_FORMAT_LOST backported: the shim uses it', () => {
    const { map } = setup('debian-5.10-lost');
    assert.match(shimPathFor('read_format.lost', map)!, /carry lost counts/);
    const { map: plain } = setup('mainline-5.10');
    assert.match(shimPathFor('read_format.lost', plain)!, /no lost count/);
  });

  for (const [name, errno] of [['seccomp-eperm', ERRNO.EPERM], ['seccomp-enosys', ERRNO.ENOSYS]] as const) {
    it(`${name}: openEvent throws one ERR_PERF_UNAVAILABLE with the errno and opens nothing`, () => {
      const { kernel } = simulate(name);
      assert.throws(() => openEvent('cpu-clock', { kernel }), (e: unknown) => {
        assert.ok(e instanceof PerfcompatError);
        assert.equal(e.code, 'ERR_PERF_UNAVAILABLE');
        assert.equal(e.errno, errno);
        return true;
      });
      assert.equal(kernel.openFdCount(), 0);
    });
  }
});

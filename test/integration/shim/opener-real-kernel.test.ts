/**
 * The one opener on this machine's kernel: close-on-exec has one owner (the
 * fd scope; the seam does exactly the syscall it is asked), every opener
 * (probe engine, behaviour checks, listEvents, the shim) ends with
 * close-on-exec fds, and the shim leaves no perf fd or ring mapping behind
 * after failed adds, failed opens, close() or an exception half-way.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sinon from 'sinon';
import { encodeAttr } from '../../../src/abi/attr-codec';
import { PERF_FLAG, PERF_TYPE, SW_EVENTS } from '../../../src/abi/constants';
import { F_GETFD, FD_CLOEXEC } from '../../../src/abi/ioctl';
import { PerfcompatError } from '../../../src/errors';
import { listEvents } from '../../../src/events';
import type { CapabilityMap, FeatureEntry } from '../../../src/model/capability-map';
import { openScope } from '../../../src/open/scope';
import { getCapabilities } from '../../../src/root';
import { EventSet } from '../../../src/shim';
import { openEvent } from '../../../src/shim/perf-event';
import { Sampler } from '../../../src/shim/sampler';
import { isErr, type Kernel } from '../../../src/sys/kernel';
import { realKernel } from '../../../src/sys/real-kernel';
import { ownCache } from '../../helpers/own-cache';
import { isPerfFd, openFds } from '../../helpers/fds';

const TASK_CLOCK = { type: PERF_TYPE.SOFTWARE, config: SW_EVENTS.find((e) => e.name === 'task_clock')!.value, name: 'task-clock' };
const CPU_CLOCK = { type: PERF_TYPE.SOFTWARE, config: SW_EVENTS.find((e) => e.name === 'cpu_clock')!.value, name: 'cpu-clock' };

/** perf ring mappings of this process (/proc/self/maps). */
function perfMaps(): number {
  return readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l.includes('perf_event')).length;
}

function held(): { fds: number; maps: number } {
  return { fds: [...openFds().values()].filter(isPerfFd).length, maps: perfMaps() };
}

function cloexecOf(k: Kernel, fd: number): boolean {
  const r = k.fcntl(fd, F_GETFD);
  assert.ok(!isErr(r), `F_GETFD of fd ${fd}`);
  return (r.value & FD_CLOEXEC) !== 0;
}

/** The real kernel, with every perf fd's FD_CLOEXEC read just before it is closed. */
function watchingCloexec(): { kernel: Kernel; inheritable: number[]; closed: () => number } {
  const real = realKernel();
  const opened = new Set<number>();
  const inheritable: number[] = [];
  let closed = 0;
  const kernel = Object.create(real, {
    perfEventOpen: { value: (...a: Parameters<Kernel['perfEventOpen']>) => { const r = real.perfEventOpen(...a); if (!isErr(r)) opened.add(r.fd); return r; } },
    close: { value: (fd: number) => { if (opened.delete(fd)) { closed++; if (!cloexecOf(real, fd)) inheritable.push(fd); } return real.close(fd); } },
  }) as Kernel;
  return { kernel, inheritable, closed: () => closed };
}

describe('the one opener on this kernel', function () {
  this.timeout(120_000);
  ownCache();
  let map: CapabilityMap;
  before(() => {
    map = getCapabilities();
  });
  afterEach(() => sinon.restore());

  it('the seam does exactly the syscall: with flags 0 the fd is left inheritable, with PERF_FLAG_FD_CLOEXEC it is close-on-exec', () => {
    const k = realKernel();
    const attr = (): Uint8Array => encodeAttr({ ...TASK_CLOCK, name: undefined, disabled: 1, exclude_kernel: 1, exclude_hv: 1 } as never, { size: 64 });
    const plain = k.perfEventOpen(attr(), 0, -1, -1, 0);
    assert.ok(!isErr(plain));
    try { assert.equal(cloexecOf(k, plain.fd), false); } finally { k.close(plain.fd); }
    if (map.features['open_flags.fd_cloexec']?.status !== 'supported') return;
    const flagged = k.perfEventOpen(attr(), 0, -1, -1, PERF_FLAG.FD_CLOEXEC);
    assert.ok(!isErr(flagged));
    try { assert.equal(cloexecOf(k, flagged.fd), true); } finally { k.close(flagged.fd); }
  });

  it('a scope makes every fd close-on-exec, by fcntl (default) or by the flag', () => {
    const k = realKernel();
    const modes = map.features['open_flags.fd_cloexec']?.status === 'supported' ? (['fcntl', 'flag'] as const) : (['fcntl'] as const);
    for (const cloexec of modes) {
      const scope = openScope(k, { cloexec });
      try {
        const r = scope.open({ type: TASK_CLOCK.type, config: TASK_CLOCK.config, disabled: 1, exclude_kernel: 1, exclude_hv: 1 });
        assert.ok(!isErr(r), `${cloexec}: ${isErr(r) ? r.errnoName : ''}`);
        assert.equal(cloexecOf(k, r.fd), true, cloexec);
      } finally { scope.dispose(); }
    }
  });

  for (const fdCloexec of [{ status: 'unsupported', errno: 22, errnoName: 'EINVAL' }, { status: 'denied', errno: 1, errnoName: 'EPERM' }] as FeatureEntry[]) {
    it(`the shim on a map saying open_flags.fd_cloexec is ${fdCloexec.status}: opens without the flag and the fd is close-on-exec`, () => {
      const k = realKernel();
      const open = sinon.spy(k, 'perfEventOpen');
      const capabilities: CapabilityMap = { ...map, features: { ...map.features, 'open_flags.fd_cloexec': fdCloexec } };
      const ev = openEvent('task-clock', { capabilities });
      try {
        assert.equal(open.callCount, 1);
        assert.equal((open.firstCall.args[4] as number) & PERF_FLAG.FD_CLOEXEC, 0, 'the flag was not passed');
        assert.equal(cloexecOf(k, ev.fd), true);
        assert.ok(ev.adaptations.some((a) => a.featureId === 'open_flags.fd_cloexec'));
      } finally { ev.close(); }
    });
  }

  it('every fd of the probe engine, the behaviour checks, listEvents and the shim is close-on-exec while open', () => {
    const w = watchingCloexec();
    const probed = getCapabilities({ kernel: w.kernel, refresh: true, behaviour: true });
    listEvents({ kernel: w.kernel, pattern: '*clock*' });
    const ev = openEvent('task-clock', { kernel: w.kernel, capabilities: probed });
    ev.close();
    const set = new EventSet({ kernel: w.kernel, capabilities: probed });
    set.add('task-clock').add('page-faults');
    set.close();
    assert.ok(w.closed() > 20, `only ${w.closed()} fds seen`);
    assert.deepEqual(w.inheritable, [], 'fds without FD_CLOEXEC');
  });

  it('leaves no perf fd or mapping after failed opens, failed adds, close(), and exceptions half-way', () => {
    const before = held();
    const k = realKernel();
    // A failed open (the kernel refuses an unknown software config).
    assert.throws(() => openEvent({ type: PERF_TYPE.SOFTWARE, config: 999 }, { capabilities: map }), PerfcompatError);
    assert.deepEqual(held(), before);
    // Failed adds: refused by the kernel, by the map, and after the open (binding the read throws).
    const set = new EventSet({ capabilities: map });
    set.add('task-clock');
    assert.throws(() => set.add({ type: PERF_TYPE.SOFTWARE, config: 999 }), PerfcompatError);
    assert.throws(() => set.add({ type: 1, config: 1, config4: 1 } as never));
    const bind = sinon.stub(k, 'bindRead').throws(new RangeError('bindRead: injected failure'));
    assert.throws(() => set.add('cpu-clock'), /injected failure/);
    bind.restore();
    assert.equal(held().fds, before.fds + 1);
    set.close();
    assert.deepEqual(held(), before);
    // A Sampler: an exception after the ring is mapped, then a normal one and close().
    const ioctl = sinon.stub(k, 'ioctl').throws(new Error('ioctl: injected failure'));
    assert.throws(() => new Sampler(CPU_CLOCK, { capabilities: map, pages: 2 }), /injected failure/);
    ioctl.restore();
    assert.deepEqual(held(), before);
    const s = new Sampler(CPU_CLOCK, { capabilities: map, pages: 2 });
    assert.deepEqual(held(), { fds: before.fds + 1, maps: before.maps + 1 });
    s.close();
    assert.deepEqual(held(), before);
  });
});

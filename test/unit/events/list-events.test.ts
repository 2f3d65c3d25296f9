import assert from 'node:assert/strict';
import sinon from 'sinon';
import { listEvents } from '../../../src/events';
import { decodeAttr } from '../../../src/abi/attr-codec';
import { PERF_TYPE } from '../../../src/abi/constants';
import { ERRNO } from '../../../src/abi/errno';
import type { Kernel, OpenResult } from '../../../src/sys/kernel';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { makeTrees, Trees } from './fake-trees';

/** A kernel with no hardware PMU: software and msr open, hardware gives ENOENT, uncore EINVAL,
 *  tracepoint 318 only without kernel counting (EACCES), 319 always EPERM. */
function fakeKernel(): { kernel: Kernel; open: sinon.SinonSpy; close: sinon.SinonSpy; openFds: Set<number> } {
  let next = 100;
  const openFds = new Set<number>();
  const open = sinon.spy((bytes: Uint8Array): OpenResult => {
    const a = decodeAttr(bytes);
    const deny = (e: number): OpenResult => ({ errno: e });
    if (a.disabled !== 1) return deny(ERRNO.EINVAL!);
    switch (a.type) {
      case PERF_TYPE.HARDWARE: case PERF_TYPE.HW_CACHE: return deny(ERRNO.ENOENT!);
      case 20: case 21: return deny(ERRNO.EINVAL!);
      case 22: return deny(ERRNO.EMFILE!);
      case PERF_TYPE.TRACEPOINT:
        if (a.config === 318n && a.exclude_kernel !== 1) return deny(ERRNO.EACCES!);
        if (a.config === 319n) return deny(ERRNO.EPERM!);
        break;
      default: break;
    }
    const fd = next++;
    openFds.add(fd);
    return { fd };
  });
  const close = sinon.spy((fd: number) => { openFds.delete(fd); return { ok: true as const }; });
  const kernel = {
    name: 'fake', arch: 'x64',
    perfEventOpen: open, close,
    read: () => ({ errno: ERRNO.EINVAL! }), ioctl: () => ({ errno: ERRNO.ENOTTY! }), fcntl: () => ({ value: 0 }),
    mmap: () => ({ errno: ERRNO.ENOMEM! }), munmap: () => ({ ok: true as const }), prctl: () => ({ value: 0 }),
    poll: () => ({ ready: 0, revents: [] }), pageSize: () => 4096,
  } as unknown as Kernel;
  return { kernel, open, close, openFds };
}

describe('events: listEvents', () => {
  let trees: Trees;
  before(() => { trees = makeTrees(); });
  after(() => trees.cleanup());

  it('lists generic, cache, PMU alias, tracepoint and template entries, without status when nothing to ask', () => {
    const list = listEvents({ sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs });
    const kinds = (k: string): string[] => list.filter((e) => e.kind === k).map((e) => e.name);
    // 10 generic, and on this hybrid tree 10 more per core PMU (cpu_atom/cycles/, cpu_core/cycles/, …)
    assert.equal(kinds('hardware').length, 30);
    assert.ok(kinds('hardware').includes('cpu_atom/cycles/') && kinds('hardware').includes('cpu_core/ref-cycles/'));
    assert.equal(kinds('software').length, 12);
    assert.equal(kinds('hw_cache').length, 32);
    assert.ok(kinds('pmu').includes('msr/tsc/'));
    assert.ok(kinds('pmu').includes('power/energy-pkg/'));
    assert.ok(!kinds('pmu').some((n) => n.includes('.scale') || n.includes('.unit')));
    assert.deepEqual(kinds('tracepoint'), ['broken:bad_id', 'sched:sched_switch', 'sched:sched_wakeup', 'sched:sched_wakeup_new', 'syscalls:sys_enter_read', 'syscalls:sys_exit_read']);
    assert.equal(kinds('breakpoint').length, 1);
    assert.equal(kinds('raw').length, 1);
    assert.ok(list.every((e) => e.status === undefined));
    assert.equal(list.find((e) => e.name === 'cycles')!.pmu, 'cpu_core');
  });

  it('without tracefs, lists no tracepoints but everything else', () => {
    const list = listEvents({ sysfsRoot: trees.noCore, tracefsRoot: trees.emptyTracefs });
    assert.equal(list.filter((e) => e.kind === 'tracepoint').length, 0);
    assert.equal(list.find((e) => e.name === 'cycles')!.pmu, 'hardware');
    assert.equal(list.filter((e) => e.kind === 'hardware').length, 10);
  });

  it('filters by substring or glob, case-insensitively', () => {
    assert.deepEqual(listEvents({ sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs, pattern: 'TSC' }).map((e) => e.name), ['msr/tsc/']);
    assert.deepEqual(listEvents({ sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs, pattern: 'sched:*wake*' }).map((e) => e.name), ['sched:sched_wakeup', 'sched:sched_wakeup_new']);
    assert.deepEqual(listEvents({ sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs, pattern: 'l1-icache-*' }).map((e) => e.name),
      ['L1-icache-loads', 'L1-icache-load-misses', 'L1-icache-prefetches', 'L1-icache-prefetch-misses']);
  });

  it('with a kernel, opens each event once (disabled), classifies the answer and closes every fd', () => {
    const k = fakeKernel();
    const list = listEvents({ sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs, kernel: k.kernel });
    const by = (n: string) => list.find((e) => e.name === n)!;
    assert.deepEqual([by('task-clock').status, by('task-clock').errnoName], ['supported', undefined]);
    assert.deepEqual([by('cycles').status, by('cycles').errnoName], ['no-hardware', 'ENOENT']);
    assert.deepEqual([by('LLC-loads').status, by('LLC-loads').errnoName], ['no-hardware', 'ENOENT']);
    assert.equal(by('msr/tsc/').status, 'supported');
    assert.deepEqual([by('uncore_imc_0/cas_count_read/').status, by('uncore_imc_0/cas_count_read/').errnoName], ['unsupported', 'EINVAL']);
    assert.deepEqual([by('power/energy-pkg/').status, by('power/energy-pkg/').errnoName], ['error', 'EMFILE']);
    assert.equal(by('sched:sched_switch').status, 'supported');
    // kernel counting denied, user counting allowed: a user can count it
    assert.equal(by('sched:sched_wakeup').status, 'supported');
    assert.deepEqual([by('sched:sched_wakeup_new').status, by('sched:sched_wakeup_new').errnoName], ['denied', 'EPERM']);
    // listed but cannot be resolved (malformed id)
    assert.equal(by('broken:bad_id').status, 'error');
    // templates are not opened
    assert.equal(list.find((e) => e.kind === 'breakpoint')!.status, undefined);
    assert.equal(k.openFds.size, 0, 'every fd that opened was closed');
    assert.equal(k.close.callCount, k.open.getCalls().filter((c) => 'fd' in c.returnValue).length);
  });

  it('with only a capability map, takes each status from its feature entry', () => {
    const map = {
      features: {
        'event.software.task_clock': { status: 'supported' },
        'event.hardware.cpu_cycles': { status: 'no-hardware', errno: 2, errnoName: 'ENOENT' },
        'event.hw_cache.l1d.read.miss': { status: 'no-hardware', errnoName: 'ENOENT' },
        'pmu.msr': { status: 'supported' },
        'event.tracepoint': { status: 'denied', errnoName: 'EACCES' },
        'event.breakpoint': { status: 'supported' },
      },
    } as unknown as CapabilityMap;
    const list = listEvents({ sysfsRoot: trees.hybrid, tracefsRoot: trees.tracefs, capabilities: map });
    const by = (n: string) => list.find((e) => e.name === n)!;
    assert.equal(by('task-clock').status, 'supported');
    assert.deepEqual([by('cycles').status, by('cycles').errnoName], ['no-hardware', 'ENOENT']);
    assert.equal(by('L1-dcache-load-misses').status, 'no-hardware');
    assert.equal(by('msr/tsc/').status, 'supported');
    assert.deepEqual([by('sched:sched_switch').status, by('sched:sched_switch').errnoName], ['denied', 'EACCES']);
    assert.equal(list.find((e) => e.kind === 'breakpoint')!.status, 'supported');
    assert.equal(by('instructions').status, undefined, 'no entry, no status');
  });
});

describe('events: listEvents does not turn a denied answer into unsupported', () => {
  let trees: Trees;
  before(() => { trees = makeTrees(); });
  after(() => trees.cleanup());

  it('a PMU that refuses exclude_* (EINVAL) after EACCES for kernel counting stays denied', () => {
    const open = sinon.spy((bytes: Uint8Array): OpenResult => {
      const a = decodeAttr(bytes);
      return a.exclude_kernel === 1 ? { errno: ERRNO.EINVAL! } : { errno: ERRNO.EACCES! };
    });
    const kernel = { name: 'fake', arch: 'x64', perfEventOpen: open, close: sinon.spy() } as unknown as Kernel;
    const [tsc] = listEvents({ sysfsRoot: trees.plain, tracefsRoot: trees.tracefs, kernel, pattern: 'msr/tsc/' });
    assert.deepEqual([tsc!.status, tsc!.errnoName], ['denied', 'EACCES']);
    assert.equal(open.callCount, 2);
  });

  it('an absent event (ENOENT once kernel counting is excluded) is no-hardware, not denied', () => {
    const open = sinon.spy((bytes: Uint8Array): OpenResult => {
      const a = decodeAttr(bytes);
      return a.exclude_kernel === 1 ? { errno: ERRNO.ENOENT! } : { errno: ERRNO.EACCES! };
    });
    const kernel = { name: 'fake', arch: 'x64', perfEventOpen: open, close: sinon.spy() } as unknown as Kernel;
    const [cycles] = listEvents({ sysfsRoot: trees.noCore, tracefsRoot: trees.tracefs, kernel, pattern: 'cycles' });
    assert.deepEqual([cycles!.status, cycles!.errnoName], ['no-hardware', 'ENOENT']);
  });
});

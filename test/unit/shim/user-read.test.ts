/**
 * EventSet.read() through user-space counter reads, on a simulated x86
 * kernel given the executable-memory seam (mmapAnon, mprotect, functionAt)
 * with JavaScript stand-ins for the stubs: the "counter register" n holds
 * what the simulated PMU counted since the page's last update, as pmc_width
 * bits. The user path must give exactly what read() gives (readValues, and
 * the same set with userRead: false), and fall back to read() wherever the
 * page, the seam or the options say no, saying why.
 */
import assert from 'node:assert/strict';
import { MMAP_PAGE } from '../../../src/abi';
import { ERRNO } from '../../../src/abi/errno';
import { archAbi, perfIoctl } from '../../../src/abi/ioctl';
import type { Kernel, Mapping, MmapResult, VoidResult } from '../../../src/sys/kernel';
import { getCapabilities } from '../../../src/root';
import { scaledNumber } from '../../../src/shim/counter-value';
import { EventSet, type EventSetOptions } from '../../../src/shim/event-set';
import sinon from 'sinon';
import * as readFile from '../../../src/env/read-file';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { UserReads } from '../../../src/shim/user-read';
import { simulate } from '../../sim';
import type { SimKernel } from '../../sim/sim-kernel';

const HW = ['cycles', 'instructions', 'branches'];

interface Rig {
  kernel: SimKernel;
  opts: EventSetOptions;
  /** Counter numbers the stub was asked for. */
  asked: number[];
  codePages: number;
  /** Make every register read as if it had been at -k at the pages' last update (offset = count + k, as the kernel keeps it). */
  startBelowZero(k: bigint): void;
}

/** A simulated kernel with the executable-memory seam; each mapped control page gets its own counter index. */
function rig(o: { mprotectErrno?: number; width?: number } = {}): Rig {
  const sim = simulate('mainline-6.18', { clock: 'manual' }); // time moves only by work(): both paths see the same instant
  const k = sim.kernel as SimKernel;
  const map = getCapabilities({ ...sim, cache: false });
  const byIndex = new Map<number, { fd: number; page: DataView }>();
  const r: Rig = {
    kernel: k, opts: { kernel: k, capabilities: map }, asked: [], codePages: 0,
    startBelowZero: (by) => {
      for (const { page } of byIndex.values()) page.setBigInt64(MMAP_PAGE.offset.offset, page.getBigInt64(MMAP_PAGE.offset.offset, true) + by, true);
    },
  };
  const code = new Set<Mapping>();
  const simMmap = k.mmap.bind(k);
  const simMunmap = k.munmap.bind(k);
  const simIoctl = k.ioctl.bind(k);
  const IOC = { enable: perfIoctl('enable', archAbi(k.arch)), disable: perfIoctl('disable', archAbi(k.arch)) };
  // perf_event_update_userpage on sched out/in: index 0 while the event is off its counter.
  k.ioctl = (fd, request, arg) => {
    const res = simIoctl(fd, request, arg);
    if (request === IOC.disable || request === IOC.enable) {
      for (const [index, { page }] of byIndex) page.setUint32(MMAP_PAGE.index.offset, request === IOC.enable ? index : 0, true);
    }
    return res;
  };
  const ext = k as SimKernel & Required<Pick<Kernel, 'mmapAnon' | 'mprotect' | 'functionAt'>>;
  ext.mmap = (fd, length, prot, flags, offset): MmapResult => {
    const m = simMmap(fd, length, prot, flags, offset);
    if ('mapping' in m) {
      const page = new DataView(m.mapping.buffer);
      const index = byIndex.size + 1;
      page.setUint32(MMAP_PAGE.index.offset, index, true);
      if (o.width !== undefined) page.setUint16(MMAP_PAGE.pmc_width.offset, o.width, true);
      byIndex.set(index, { fd, page });
    }
    return m;
  };
  ext.munmap = (m: Mapping): VoidResult => (code.delete(m) ? { ok: true } : simMunmap(m));
  ext.mmapAnon = (length: number): MmapResult => {
    const mapping: Mapping = { address: 0x7000_0000n, length, buffer: new ArrayBuffer(length) };
    code.add(mapping);
    r.codePages++;
    return { mapping };
  };
  ext.mprotect = (): VoidResult => (o.mprotectErrno !== undefined ? { errno: o.mprotectErrno } : { ok: true });
  ext.functionAt = (_m: Mapping, offset: number) => {
    if (offset === 0) return (x: number) => x;
    if (offset === 32) return () => 0;
    return (n: number) => {
      r.asked.push(n);
      const { fd, page } = byIndex.get(n + 1)!;
      const count = BigInt(Math.floor(k.event(fd)!.count));
      const width = page.getUint16(MMAP_PAGE.pmc_width.offset, true);
      const reg = BigInt.asUintN(width, count - page.getBigInt64(MMAP_PAGE.offset.offset, true));
      return reg <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(reg) : reg; // as koffi returns a uint64_t
    };
  };
  return r;
}

function opened(r: Rig, names: readonly string[], extra: EventSetOptions = {}): EventSet {
  const set = new EventSet({ ...r.opts, ...extra });
  for (const n of names) set.add(n);
  set.start();
  r.kernel.work(3_000_000);
  return set;
}

/** read()'s answers for the set, scaled as EventSet.read scales them. */
function syscallValues(set: EventSet): number[] {
  return set.readValues().map((v) => scaledNumber(Number(v.value), Number(v.timeEnabled), Number(v.timeRunning)));
}

describe('shim/EventSet user-space counter reads', () => {
  it('reads hardware counters through their control pages, with read()\'s answers, one stub call per event with index - 1', () => {
    const r = rig();
    const set = opened(r, HW);
    assert.deepEqual(set.userRead.paths.map((p) => p.path), HW.map(() => 'user'));
    const got = Array.from(set.read());
    assert.ok(got.every((v) => v > 0), `counted: ${got}`);
    assert.deepEqual(got, syscallValues(set));
    assert.deepEqual(r.asked, [0, 1, 2]);
    assert.equal(set.userRead.stats.user, 1);
    const slow = opened(rig(), HW, { userRead: false });
    assert.deepEqual(slow.userRead.paths.map((p) => p.reason), HW.map(() => 'userRead: false'));
    assert.equal(slow.userRead.stats.user, 0);
    set.close();
    slow.close();
  });

  it('sign-extends a 32-bit counter that sits below zero, as the kernel starts one', () => {
    const r = rig({ width: 32 });
    const set = opened(r, ['cycles', 'instructions']);
    r.startBelowZero(1n << 30n); // the registers were at -2^30 when the kernel last updated the pages
    assert.deepEqual(Array.from(set.read()), syscallValues(set));
    assert.equal(set.userRead.stats.user, 1);
    set.close();
  });

  it('falls back to read() once the set is stopped (index 0), and counts it', () => {
    const r = rig();
    const set = opened(r, HW);
    const stopped = Array.from(set.stop());
    assert.deepEqual(stopped, syscallValues(set));
    assert.equal(set.userRead.stats.syscall, 1);
    assert.match(set.userRead.stats.lastRefusal ?? '', /cycles: index is 0/);
    set.close();
  });

  it('executable memory refused (EACCES from mprotect): every event reads with read(), and says why', () => {
    const r = rig({ mprotectErrno: ERRNO.EACCES! });
    const set = opened(r, HW);
    for (const p of set.userRead.paths) {
      assert.equal(p.path, 'syscall');
      assert.match(p.reason, /executable memory is refused.*EACCES/);
    }
    assert.deepEqual(Array.from(set.read()), syscallValues(set));
    assert.deepEqual(r.asked, []);
    set.close();
  });

  it('a software event in the set sends the whole set to read(); another task, a CPU, inherit: no user reads', () => {
    const r = rig();
    const mixed = opened(r, ['cycles', 'task-clock']);
    assert.deepEqual(mixed.userRead.paths.map((p) => p.path), ['user', 'syscall']);
    assert.match(mixed.userRead.paths[1]!.reason, /software event/);
    assert.deepEqual(Array.from(mixed.read()), syscallValues(mixed));
    assert.deepEqual(r.asked, []);
    mixed.close();
    for (const [extra, why] of [[{ pid: 4242 }, /pid 4242/], [{ cpu: 0 }, /CPU 0/], [{ inherit: true }, /inherit/]] as const) {
      const s = new EventSet({ ...rig().opts, ...extra });
      s.add('cycles');
      assert.equal(s.userRead.paths[0]!.path, 'syscall');
      assert.match(s.userRead.paths[0]!.reason, why);
      s.close();
    }
  });

  it('close() unmaps every control page before the events close', () => {
    const r = rig();
    const set = opened(r, HW);
    assert.equal(r.kernel.openMappingCount(), HW.length);
    set.close();
    assert.equal(r.kernel.openMappingCount(), 0);
    assert.equal(r.kernel.openFdCount(), 0);
  });
});

describe('shim/UserReads.attrBits (arm64: the core PMU\'s rdpmc format bit)', () => {
  afterEach(() => sinon.restore());

  function arm64(access: string | null, formats: Record<string, string> = { event: 'config:0-15', long: 'config1:0', rdpmc: 'config1:1' }): UserReads {
    sinon.stub(readFile, 'readTrimmed').callsFake((f: string) => (f === '/proc/sys/kernel/perf_user_access' ? access : null));
    const code = { address: 0x1000n, length: 4096, buffer: new ArrayBuffer(4096) };
    const kernel = {
      name: 'arm64 stand-in', host: true, arch: 'arm64', pageSize: () => 4096,
      mmapAnon: () => ({ mapping: code }), mprotect: () => ({ ok: true }), munmap: () => ({ ok: true }),
      functionAt: (_m: unknown, offset: number) => (offset === 0 ? (x: number) => x : () => 0),
    } as unknown as Kernel;
    const map = { environment: { pmus: [{ name: 'armv8_pmuv3_0', type: 8, formats, caps: {}, events: {} }] } } as unknown as CapabilityMap;
    return new UserReads(kernel, map, {});
  }

  it('asks for user access on core PMU events when perf_user_access is 1, keeping the caller\'s config1 bits', () => {
    const u = arm64('1');
    assert.deepEqual(u.attrBits({ type: 0 }), { config1: 2n });
    assert.deepEqual(u.attrBits({ type: 8, config1: 1 }), { config1: 3n });
    assert.deepEqual(u.attrBits({ type: 3 }), { config1: 2n });
    for (const type of [1, 2, 5, 6]) assert.equal(u.attrBits({ type }), undefined, `type ${type} (config1 means something else there, or no counter)`);
  });

  it('asks nothing when perf_user_access is 0 or absent, or the PMU has no rdpmc term', () => {
    assert.equal(arm64('0').attrBits({ type: 0 }), undefined);
    sinon.restore();
    assert.equal(arm64(null).attrBits({ type: 0 }), undefined);
    sinon.restore();
    assert.equal(arm64('1', { event: 'config:0-15' }).attrBits({ type: 0 }), undefined);
  });
});

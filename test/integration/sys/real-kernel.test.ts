/**
 * The seam against this machine's real kernel: a software counter opened,
 * counted, read and closed through it; E2BIG and the size write-back; sizes
 * checked before any call crosses the FFI; logging under DEBUG.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { realKernel } from '../../../src/sys/real-kernel';
import { isErr } from '../../../src/sys/kernel';
import { encodeAttr } from '../../../src/abi/attr-codec';
import { PERF_FLAG, PERF_FORMAT, PERF_TYPE, SW_EVENTS } from '../../../src/abi/constants';
import { archAbi, perfIoctlTable, F_GETFD, FD_CLOEXEC, PROT_READ, PROT_WRITE, MAP_SHARED } from '../../../src/abi/ioctl';
import { decodeRead } from '../../../src/abi/read-format';
import { errnoName } from '../../../src/abi/errno';
import { fdChanges, leakedPerfFds, openFds } from '../../helpers/fds';

const TASK_CLOCK = SW_EVENTS.find((e) => e.name === 'task_clock')!.value;
const ioc = perfIoctlTable(archAbi(process.arch));

function openTaskClock(extra: Record<string, number | bigint> = {}, flags = PERF_FLAG.FD_CLOEXEC) {
  const k = realKernel();
  // exclude_kernel/hv: allowed for an unprivileged caller at paranoid 2 as well as root.
  const attr = encodeAttr({ type: PERF_TYPE.SOFTWARE, config: TASK_CLOCK, disabled: 1, exclude_kernel: 1, exclude_hv: 1, ...extra }, { size: 64 });
  return k.perfEventOpen(attr, 0, -1, -1, flags);
}

/** Spin until this process has used `ms` of CPU time (not wall time: the machine may be loaded). */
/** Busy loop on this thread until it has used ms of CPU time; returns that thread CPU time (ns). */
function burnCpu(ms: number): bigint {
  const k = realKernel();
  const start = k.threadCpuNs();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 10000; i++) x = (x * 31 + i) | 0;
    const used = k.threadCpuNs() - start;
    if (used >= BigInt(ms) * 1000000n) return x === 0.5 ? 0n : used;
  }
}

describe('sys/real-kernel (this machine)', () => {
  const k = realKernel();
  let before: Map<string, string>;
  beforeEach(() => { before = openFds(); });
  afterEach(() => { assert.deepEqual(leakedPerfFds(before), [], 'perf fds left open'); });

  it('opens task-clock, counts work, reads a plausible value and closes', () => {
    const r = openTaskClock({ read_format: PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING });
    assert.ok(!isErr(r), `open failed: ${isErr(r) ? errnoName(r.errno) : ''}`);
    const fd = (r as { fd: number }).fd;
    try {
      assert.deepEqual(k.ioctl(fd, ioc.reset!), { value: 0 });
      assert.deepEqual(k.ioctl(fd, ioc.enable!), { value: 0 });
      const t0 = process.hrtime.bigint();
      const cpu = burnCpu(30);
      const wall = process.hrtime.bigint() - t0;
      assert.deepEqual(k.ioctl(fd, ioc.disable!), { value: 0 });
      const buf = Buffer.alloc(24);
      assert.deepEqual(k.read(fd, buf), { bytes: 24 });
      const v = decodeRead(buf, PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING);
      const ns = v.values[0]!.value;
      // task-clock counts this thread's CPU time, as CLOCK_THREAD_CPUTIME_ID does (the
      // process's CPU time would also charge GC threads running beside the spin), and
      // never more than the wall time.
      assert.ok(ns >= (cpu * 9n) / 10n, `task-clock counted only ${ns} ns for ${cpu} ns of this thread's CPU time`);
      assert.ok(ns <= wall + 1000000n, `task-clock ${ns} ns exceeds wall time ${wall} ns`);
      assert.ok(v.timeEnabled! >= v.timeRunning! && v.timeRunning! > 0n);
    } finally {
      assert.deepEqual(k.close(fd), { ok: true });
    }
    assert.equal(errnoName((k.close(fd) as { errno: number }).errno), 'EBADF');
  });

  it('passes the open flags as given and sets nothing after: close-on-exec with PERF_FLAG_FD_CLOEXEC, inheritable without', () => {
    // Making every fd close-on-exec is the fd scope's job (test/integration/shim/opener-real-kernel).
    for (const flags of [PERF_FLAG.FD_CLOEXEC, 0]) {
      const r = openTaskClock({}, flags) as { fd: number };
      try {
        const fl = k.fcntl(r.fd, F_GETFD) as { value: number };
        assert.equal(fl.value & FD_CLOEXEC, flags === 0 ? 0 : FD_CLOEXEC, `flags ${flags}`);
      } finally { k.close(r.fd); }
    }
  });

  it('reports E2BIG and the size the kernel wrote back for an attr larger than the kernel knows', () => {
    // A non-zero byte at the very end of a buffer larger than any kernel's attr.
    const attr = Buffer.alloc(512);
    encodeAttr({ type: PERF_TYPE.SOFTWARE, config: TASK_CLOCK, disabled: 1, exclude_kernel: 1, exclude_hv: 1 }, { size: 64 }).copy(attr);
    attr.writeUInt32LE(512, 4);
    attr[511] = 1;
    const r = k.perfEventOpen(attr, 0, -1, -1, PERF_FLAG.FD_CLOEXEC);
    assert.ok(isErr(r), 'a 512-byte attr with a non-zero tail must be refused');
    assert.equal(errnoName(r.errno), 'E2BIG');
    const written = (r as { attrSize?: number }).attrSize!;
    assert.ok(written >= 64 && written < 512 && written % 8 === 0, `kernel wrote back ${written}`);
    assert.equal(attr.readUInt32LE(4), written);
    // And the kernel accepts exactly the size it wrote back.
    const ok = k.perfEventOpen(encodeAttr({ type: PERF_TYPE.SOFTWARE, config: TASK_CLOCK, disabled: 1, exclude_kernel: 1, exclude_hv: 1 }, { size: written }), 0, -1, -1, PERF_FLAG.FD_CLOEXEC);
    assert.ok(!isErr(ok));
    k.close((ok as { fd: number }).fd);
  });

  it('reads the event id and maps a ring buffer with its control page', () => {
    const r = openTaskClock({ read_format: PERF_FORMAT.ID }) as { fd: number };
    try {
      const idBuf = Buffer.alloc(8);
      assert.deepEqual(k.ioctl(r.fd, ioc.id!, idBuf), { value: 0 });
      const rb = Buffer.alloc(16);
      k.read(r.fd, rb);
      assert.equal(decodeRead(rb, PERF_FORMAT.ID).values[0]!.id, idBuf.readBigUInt64LE(0));
      const m = k.mmap(r.fd, 2 * k.pageSize(), PROT_READ | PROT_WRITE, MAP_SHARED, 0);
      assert.ok('mapping' in m);
      const page = new DataView(m.mapping.buffer);
      // data_size (offset 1048) is the one data page we asked for.
      assert.equal(page.getBigUint64(1048, true), BigInt(k.pageSize()));
      assert.deepEqual(k.munmap(m.mapping), { ok: true });
      assert.throws(() => k.munmap(m.mapping), RangeError);
    } finally { k.close(r.fd); }
  });

  it('threadCpuNs counts this thread\'s CPU time only, not a busy worker thread\'s', async () => {
    const { Worker } = await import('node:worker_threads');
    // This thread sleeps in Atomics.wait while a worker spins until the process has
    // used 60 ms more CPU time; then the worker wakes it.
    const flags = new Int32Array(new SharedArrayBuffer(8)); // [0] go, [1] done
    const w = new Worker(`
      const { workerData } = require('node:worker_threads');
      const f = new Int32Array(workerData);
      Atomics.wait(f, 0, 0);
      const start = process.cpuUsage();
      let x = 0;
      for (;;) { for (let i = 0; i < 10000; i++) x = (x * 31 + i) | 0; const u = process.cpuUsage(start); if (u.user + u.system >= 60000) break; }
      Atomics.store(f, 1, x === 0.5 ? 2 : 1);
      Atomics.notify(f, 1);`, { eval: true, workerData: flags.buffer });
    try {
      await new Promise<void>((resolve) => w.once('online', () => resolve()));
      const proc0 = process.cpuUsage();
      const t0 = k.threadCpuNs();
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      assert.notEqual(Atomics.wait(flags, 1, 0, 30000), 'timed-out', 'the worker finished its spin');
      const thread = k.threadCpuNs() - t0;
      const used = process.cpuUsage(proc0);
      const proc = (used.user + used.system) * 1000;
      assert.ok(proc >= 60e6, `the process was charged ${proc} ns while the worker spun`);
      assert.ok(thread < 10000000n, `this sleeping thread was charged ${thread} ns of the process's ${proc}`);
    } finally {
      await w.terminate();
    }
    const a = k.threadCpuNs();
    const spun = burnCpu(5);
    assert.ok(k.threadCpuNs() - a >= spun, 'thread CPU time is monotonic and grows with work');
  });

  it('throws RangeError before the FFI call on any size mistake', () => {
    const attr = encodeAttr({ type: 1 }, { size: 64 });
    const lying = Buffer.from(attr); lying.writeUInt32LE(128, 4);
    assert.throws(() => k.perfEventOpen(lying, 0, -1, -1, 0), /size field says 128 bytes but the buffer holds 64/);
    assert.throws(() => k.perfEventOpen(new Uint8Array(4), 0, -1, -1, 0), RangeError);
    assert.throws(() => k.perfEventOpen('x' as never, 0, -1, -1, 0), RangeError);
    assert.throws(() => k.perfEventOpen(attr, 2 ** 40, -1, -1, 0), /pid/);
    assert.throws(() => k.read(0, Buffer.alloc(8), 16), /length 16 outside the 8-byte buffer/);
    assert.throws(() => k.read(-1, Buffer.alloc(8)), /fd -1/);
    assert.throws(() => k.ioctl(0, ioc.id!, Buffer.alloc(4)), /ioctl id: buffer of 4 bytes, 8 needed/);
    assert.throws(() => k.ioctl(0, ioc.set_filter!, Buffer.from('abc')), /NUL-terminated/);
    assert.throws(() => k.mmap(0, 100, PROT_READ, MAP_SHARED, 0), /multiple of the page size/);
    assert.throws(() => k.poll([{ fd: -3, events: 1 }], 0), RangeError);
  });

  it('logs every syscall under DEBUG=perfcompat:sys and nothing without it', () => {
    const script = `const p=require(${JSON.stringify(path.resolve(__dirname, '../../../src/index.js'))});` +
      'const k=p.realKernel();const r=k.perfEventOpen(p.encodeAttr({type:1,config:1,disabled:1,exclude_kernel:1,exclude_hv:1},{size:64}),0,-1,-1,8);k.close(r.fd);';
    const withDebug = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, DEBUG: 'perfcompat:*' }, encoding: 'utf8' });
    assert.equal(withDebug.status, 0, withDebug.stderr);
    assert.match(withDebug.stderr, /perfcompat:sys perf_event_open\(size=64, pid=0, cpu=-1, group=-1, flags=8\) = \d+/);
    assert.match(withDebug.stderr, /perfcompat:sys close\(\d+\) = 0/);
    const env = { ...process.env }; delete env.DEBUG;
    const without = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    assert.equal(without.status, 0);
    assert.equal(without.stderr, '');
  });

  it('leaves no fd open after many open/read/close cycles', () => {
    const n0 = openFds();
    const buf = Buffer.alloc(8);
    for (let i = 0; i < 2000; i++) {
      const r = openTaskClock() as { fd: number };
      k.read(r.fd, buf);
      k.close(r.fd);
    }
    assert.deepEqual(fdChanges(n0), []);
  });
});

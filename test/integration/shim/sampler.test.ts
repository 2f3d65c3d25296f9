/**
 * The sampler on this machine's kernel: cpu-clock samples of this Node
 * process, and a sched:sched_switch tracepoint whose RAW data is decoded by
 * its tracefs format file.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Sampler } from '../../../src/shim/sampler';
import { PERF_CONTEXT, PERF_RECORD_MISC, PERF_TYPE } from '../../../src/abi/constants';
import { isCallchainContext, SampleRecord } from '../../../src/abi/records';
import { readTracepointFormat } from '../../../src/env/tracepoint-format-file';
import { findTracefs, readTracepointId } from '../../../src/env/tracefs';
import { realKernel } from '../../../src/sys/real-kernel';
import { PerfcompatError } from '../../../src/errors';
import { tracefsUnusableAnswer } from '../../helpers/tracefs-answer';
import { fdChanges, openFds } from '../../helpers/fds';

const CPU_CLOCK = { type: PERF_TYPE.SOFTWARE, config: 0, name: 'cpu-clock' };
const CONTEXTS = new Set<bigint>(Object.values(PERF_CONTEXT));


/** Executable mappings of this process as [start, end) pairs. */
function execRanges(): Array<[bigint, bigint]> {
  const out: Array<[bigint, bigint]> = [];
  for (const line of fs.readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4})/.exec(line);
    if (m && m[3]!.includes('x')) out.push([BigInt('0x' + m[1]), BigInt('0x' + m[2])]);
  }
  return out;
}

/**
 * Busy loop until this thread has used ms of CPU time (what cpu-clock on pid 0
 * counts, so the sample count does not depend on how loaded the machine is),
 * giving up after 20 s of wall time.
 */
function burn(ms: number): number {
  const k = realKernel();
  let x = 0;
  const goal = k.threadCpuNs() + BigInt(ms) * 1_000_000n;
  const giveUp = Date.now() + 20_000;
  while (k.threadCpuNs() < goal && Date.now() < giveUp) for (let i = 0; i < 10000; i++) x += Math.sqrt(i + x);
  return x;
}

/** Skip (with the reason) when this machine cannot sample at all; otherwise rethrow. */
function unlessDenied(ctx: Mocha.Context, e: unknown): never {
  if (e instanceof PerfcompatError && ['EACCES', 'EPERM', 'ENOSYS'].includes(e.errnoName ?? '')) {
    ctx.skip();
  }
  throw e;
}

describe('shim/sampler on this kernel', function () {
  this.timeout(30000);

  it('samples this Node process on cpu-clock with IP|TID|TIME|CALLCHAIN|PERIOD: pid, ordered times, IPs in executable maps, callchains led by a context marker and the IP', function () {
    const before = openFds();
    let s: Sampler;
    try {
      s = new Sampler(CPU_CLOCK, { sampleType: ['ip', 'tid', 'time', 'period'], callchain: true, period: 1_000_000n, pages: 64 });
    } catch (e) {
      unlessDenied(this, e);
    }
    let recs: SampleRecord[];
    let maps: Array<[bigint, bigint]>;
    try {
      const mapsBefore = execRanges();
      burn(300);
      recs = s.drain().filter((r): r is SampleRecord => r.kind === 'sample');
      maps = [...mapsBefore, ...execRanges()];
      console.log(`      ${recs.length} samples in 300 ms of CPU time, ${s.lost} lost, time base ${s.timeBase.kind}`);
    } finally {
      s.close();
    }
    assert.ok(recs.length >= 20, `${recs.length} samples in 300 ms of this thread's CPU time on cpu-clock at 1 kHz`);
    for (const r of recs) {
      assert.equal(r.pid, process.pid);
      assert.equal(r.tid, process.pid, 'pid 0 samples the calling (main) thread');
      assert.ok(r.period! > 0n);
    }
    for (let i = 1; i < recs.length; i++) assert.ok(recs[i]!.time! > recs[i - 1]!.time!, `time ${i} increases`);
    // With use_clockid the times are CLOCK_MONOTONIC: they lie within the monotonic clock's recent past.
    if (s.timeBase.kind === 'clock' && s.timeBase.clock === 'monotonic') {
      const now = process.hrtime.bigint();
      assert.ok(recs.at(-1)!.time! <= now && recs[0]!.time! > now - 10_000_000_000n, 'sample times are on CLOCK_MONOTONIC');
    }
    const user = recs.filter((r) => (r.misc & PERF_RECORD_MISC.CPUMODE_MASK) === PERF_RECORD_MISC.USER);
    assert.ok(user.length > 0, 'some samples land in user space');
    for (const r of user) {
      assert.ok(maps.some(([a, b]) => r.ip! >= a && r.ip! < b), `user IP 0x${r.ip!.toString(16)} lies in an executable mapping`);
    }
    for (const r of recs) {
      const cc = r.callchain!;
      assert.ok(cc.length >= 2, 'a callchain has a context marker and the IP');
      assert.ok(CONTEXTS.has(cc[0]!) && isCallchainContext(cc[0]!), `callchain starts with a PERF_CONTEXT_* marker, not 0x${cc[0]!.toString(16)}`);
      assert.equal(cc[1], r.ip, 'the first address is the sample IP');
    }
    assert.deepEqual(fdChanges(before), [], 'no fd leaks');
  });

  it('decodes sched:sched_switch RAW samples by the tracepoint format file (prev_comm, prev_pid, next_pid …)', function () {
    const tracefs = findTracefs();
    if (!tracefs.ok) {
      // tracefs is not mounted (or not readable) here: there is no format file, and the lookup says why.
      assert.throws(() => readTracepointFormat('sched:sched_switch'),
        (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_PERF_UNAVAILABLE' && e.message === `tracepoint sched:sched_switch: ${tracefs.detail}`);
      return;
    }
    const id = readTracepointId(tracefs.root, 'sched', 'sched_switch');
    if (!('id' in id)) this.skip();
    const format = readTracepointFormat('sched:sched_switch');
    const before = openFds();
    let s: Sampler;
    try {
      s = new Sampler({ type: PERF_TYPE.TRACEPOINT, config: id.id, name: 'sched:sched_switch' },
        { sampleType: ['tid', 'time', 'cpu', 'raw'], period: 1n, pages: 16, rawFormat: format, clockid: null });
    } catch (e) {
      unlessDenied(this, e);
    }
    const kernel = realKernel();
    let recs: SampleRecord[];
    try {
      for (let i = 0; i < 5; i++) kernel.poll([], 2); // sleep: this thread switches out
      recs = s.drain().filter((r): r is SampleRecord => r.kind === 'sample');
    } finally {
      s.close();
    }
    assert.ok(recs.length >= 5, `${recs.length} sched_switch samples after 5 sleeps`);
    const comm = fs.readFileSync('/proc/self/comm', 'utf8').trim();
    for (const r of recs) {
      const f = (r as SampleRecord & { fields?: Record<string, unknown> }).fields!;
      assert.equal(f.common_type, id.id);
      assert.equal(f.prev_pid, process.pid, 'this thread is the one switched out');
      assert.equal(f.prev_comm, comm);
      assert.equal(typeof f.next_pid, 'number');
      assert.notEqual(f.next_pid, process.pid);
      assert.equal(typeof f.next_comm, 'string');
      assert.equal(r.pid, process.pid);
    }
    assert.deepEqual(fdChanges(before), []);
  });

  it('decodes RAW fields by itself for a tracepoint given by name', function () {
    const tracefs = findTracefs();
    if (!tracefs.ok) {
      // No tracefs here: the name cannot resolve, and the error says why and how to mount it.
      assert.throws(() => new Sampler('sched:sched_switch', { sampleType: ['tid', 'time', 'raw'], pages: 8 }),
        (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_EVENT_NAME' && tracefsUnusableAnswer(tracefs).test(e.message));
      return;
    }
    let s: Sampler;
    try {
      s = new Sampler('sched:sched_switch', { sampleType: ['tid', 'time', 'raw'], pages: 8 });
    } catch (e) {
      if (e instanceof PerfcompatError && e.code === 'ERR_EVENT_NAME') this.skip(); // no event-name resolver in this build
      unlessDenied(this, e);
    }
    let recs: SampleRecord[];
    try {
      for (let i = 0; i < 3; i++) realKernel().poll([], 2);
      recs = s.drain().filter((r): r is SampleRecord => r.kind === 'sample');
    } finally {
      s.close();
    }
    assert.ok(recs.length >= 3);
    for (const r of recs) assert.equal((r as SampleRecord & { fields?: Record<string, unknown> }).fields?.prev_pid, process.pid);
  });

  it('reads a write_backward (overwrite) ring with PAUSE_OUTPUT: newest records kept, oldest first', function () {
    let s: Sampler;
    try {
      s = new Sampler(CPU_CLOCK, { period: 100_000n, pages: 1, backward: true, sampleType: ['ip', 'tid', 'time'] });
    } catch (e) {
      unlessDenied(this, e);
    }
    try {
      if (!s.backward) this.skip(); // the map says write_backward is missing here
      burn(300); // far more samples than one page holds: the ring overwrites
      const recs = s.drain().filter((r): r is SampleRecord => r.kind === 'sample');
      assert.ok(recs.length > 10);
      for (let i = 1; i < recs.length; i++) assert.ok(recs[i]!.time! > recs[i - 1]!.time!, 'oldest first');
      for (const r of recs) assert.equal(r.pid, process.pid);
      // Only newer records come back next time.
      burn(50);
      const more = s.drain().filter((r): r is SampleRecord => r.kind === 'sample');
      if (more.length > 0) assert.ok(more[0]!.time! > recs.at(-1)!.time!);
    } finally {
      s.close();
    }
  });

  it('wakes a for-await reader through the event loop (watchReadable) while timers keep running', async function () {
    let s: Sampler;
    try {
      s = new Sampler(CPU_CLOCK, { period: 1_000_000n, pages: 8, wakeupEvents: 4, sampleType: ['ip', 'tid', 'time'] });
    } catch (e) {
      unlessDenied(this, e);
    }
    let ticks = 0;
    const work = setInterval(() => { ticks++; burn(8); }, 1);
    // A reader that is never woken must fail this test, not hang it: close() ends the iteration.
    const guard = setTimeout(() => s.close(), 15000);
    const got: SampleRecord[] = [];
    try {
      for await (const r of s) {
        if (r.kind === 'sample') got.push(r);
        if (got.length >= 12) break;
      }
    } finally {
      clearTimeout(guard);
      clearInterval(work);
      s.close();
    }
    assert.equal(got.length, 12, 'woken until 12 samples arrived (fewer: the wake-ups stopped and the guard closed the sampler)');
    assert.ok(ticks > 0, 'the event loop kept running while the reader waited');
  });
});

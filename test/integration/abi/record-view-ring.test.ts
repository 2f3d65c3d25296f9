/**
 * RecordView over a real ring of this kernel: the bytes a cpu-clock sampler's
 * ring holds after some CPU time, walked by RecordView, give every fixed
 * field (bigint and number getters) that decodeRecords gives for them.
 */
import assert from 'node:assert/strict';
import { RecordView } from '../../../src/abi/record-view';
import { decodeRecords } from '../../../src/abi/records';
import { PERF_TYPE } from '../../../src/abi/constants';
import { PerfcompatError } from '../../../src/errors';
import { Sampler } from '../../../src/shim/sampler';
import type { RingBuffer } from '../../../src/shim/ring-buffer';
import { realKernel } from '../../../src/sys/real-kernel';

const exactNumber = (v: bigint | undefined): number | undefined => v === undefined ? undefined : v < 2n ** 53n ? Number(v) : NaN;

describe('abi/record-view over a ring of this kernel', function () {
  this.timeout(30000);

  it('gives decodeRecords\' fields, as bigints and as numbers, for the records of a cpu-clock ring', function () {
    let s: Sampler;
    try {
      s = new Sampler({ type: PERF_TYPE.SOFTWARE, config: 0, name: 'cpu-clock' },
        { sampleType: ['ip', 'tid', 'time', 'addr', 'id', 'cpu', 'period'], callchain: true, period: 1_000_000n, pages: 64 });
    } catch (e) {
      if (e instanceof PerfcompatError && ['EACCES', 'EPERM', 'ENOSYS'].includes(e.errnoName ?? '')) this.skip();
      throw e;
    }
    let bytes: Uint8Array;
    try {
      const k = realKernel();
      const goal = k.threadCpuNs() + 200_000_000n;
      const giveUp = Date.now() + 20_000;
      let x = 0;
      while (k.threadCpuNs() < goal && Date.now() < giveUp) for (let i = 0; i < 10000; i++) x += Math.sqrt(i + x);
      // The ring's bytes as the kernel wrote them (Sampler keeps its RingBuffer to itself).
      bytes = (s as unknown as { ring: RingBuffer }).ring.readBytes();
    } finally {
      s.close();
    }
    const want = decodeRecords(bytes, s.layout);
    const samples = want.filter((r) => r.kind === 'sample');
    assert.ok(samples.length >= 10, `${samples.length} samples in 200 ms of CPU time at 1 kHz`);
    const view = new RecordView(s.layout).reset(bytes);
    let i = 0;
    while (view.next()) {
      const r = want[i++]!;
      assert.deepEqual([view.type, view.size, view.isSample], [r.type, r.size, r.kind === 'sample']);
      if (r.kind !== 'sample') continue;
      assert.deepEqual([view.ip, view.pid, view.tid, view.time, view.addr, view.id, view.cpu, view.period],
        [r.ip, r.pid, r.tid, r.time, r.addr, r.id, r.cpu, r.period]);
      assert.deepEqual([view.ipNumber, view.timeNumber, view.addrNumber, view.idNumber, view.periodNumber],
        [r.ip, r.time, r.addr, r.id, r.period].map(exactNumber));
      assert.deepEqual(view.record(), r);
    }
    assert.equal(i, want.length);
  });
});

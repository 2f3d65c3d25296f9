import assert from 'node:assert/strict';
import sinon from 'sinon';
import { RingBuffer } from '../../../src/shim/ring-buffer';
import { MMAP_PAGE } from '../../../src/abi/mmap-page';
import { PERF_RECORD_MISC } from '../../../src/abi/constants';
import { SampleRecord } from '../../../src/abi/records';
import { PerfcompatError } from '../../../src/errors';
import { EncLayout, encodeRecord, encodeSample } from '../abi/record-encoder';

const PAGE = 4096;

/** Plays the kernel's side of a forward ring over a plain ArrayBuffer. */
class FakeProducer {
  readonly buffer: ArrayBuffer;
  readonly dv: DataView;
  head = 0n;
  constructor(readonly dataPages: number, opts: { startHead?: bigint; legacyPage?: boolean } = {}) {
    this.buffer = new ArrayBuffer(PAGE * (1 + dataPages));
    this.dv = new DataView(this.buffer);
    if (!opts.legacyPage) {
      this.dv.setBigUint64(MMAP_PAGE.data_offset.offset, BigInt(PAGE), true);
      this.dv.setBigUint64(MMAP_PAGE.data_size.offset, BigInt(PAGE * dataPages), true);
    }
    this.head = opts.startHead ?? 0n;
    this.dv.setBigUint64(MMAP_PAGE.data_head.offset, this.head, true);
    this.dv.setBigUint64(MMAP_PAGE.data_tail.offset, this.head, true);
  }
  get size(): number {
    return PAGE * this.dataPages;
  }
  tail(): bigint {
    return this.dv.getBigUint64(MMAP_PAGE.data_tail.offset, true);
  }
  /** Write a record at head (wrapping), refusing to pass the tail like the kernel. */
  write(rec: Uint8Array, publish = true): boolean {
    if (this.head - this.tail() + BigInt(rec.length) > BigInt(this.size)) return false;
    const data = new Uint8Array(this.buffer, PAGE, this.size);
    for (let i = 0; i < rec.length; i++) data[Number((this.head + BigInt(i)) % BigInt(this.size))] = rec[i]!;
    this.head += BigInt(rec.length);
    if (publish) this.publish();
    return true;
  }
  publish(): void {
    this.dv.setBigUint64(MMAP_PAGE.data_head.offset, BigInt.asUintN(64, this.head), true);
  }
}

const layout: EncLayout = { sampleType: 0x107n /* IP|TID|TIME|PERIOD */ | (1n << 5n), sampleIdAll: true };
const sample = (i: number, ccLen = 3): Buffer => encodeSample({
  ip: BigInt(0x400000 + i), pid: 10, tid: 11, time: BigInt(1000 + i), period: 1n,
  callchain: Array.from({ length: ccLen }, (_, k) => BigInt(k + 1)),
}, layout, PERF_RECORD_MISC.USER);

describe('shim/ring-buffer over a plain ArrayBuffer', () => {
  it('returns published records in order, writes data_tail after copying, and sees nothing twice', () => {
    const p = new FakeProducer(1);
    const rb = new RingBuffer(p.buffer, { pageSize: PAGE });
    assert.equal(rb.dataSize, PAGE);
    for (let i = 0; i < 5; i++) p.write(sample(i));
    p.write(sample(99), false); // written but not yet published: must not be read
    const recs = rb.readRecords(layout);
    assert.deepEqual(recs.map((r) => (r as SampleRecord).time), [1000n, 1001n, 1002n, 1003n, 1004n]);
    assert.equal(p.tail(), BigInt(sample(0).length * 5));
    assert.deepEqual(rb.readRecords(layout), []);
    p.publish();
    assert.deepEqual(rb.readRecords(layout).map((r) => (r as SampleRecord).time), [1099n]);
  });

  it('reassembles a record that wraps the end of the data area', () => {
    const p = new FakeProducer(1);
    const rb = new RingBuffer(p.buffer, { pageSize: PAGE });
    const one = sample(0, 5);
    // Fill until the next record straddles the end, reading as we go so there is room.
    let i = 0;
    while (Number(p.head % BigInt(p.size)) + one.length <= p.size) {
      p.write(sample(i++, 5));
      rb.readRecords(layout);
    }
    const start = Number(p.head % BigInt(p.size));
    assert.ok(start + one.length > p.size && start < p.size, 'the next record wraps');
    p.write(sample(1234, 5));
    const [rec] = rb.readRecords(layout) as SampleRecord[];
    assert.equal(rec!.time, 2234n);
    assert.deepEqual(Array.from(rec!.callchain!), [1n, 2n, 3n, 4n, 5n]);
    assert.equal(rb.stats.records, i + 1);
  });

  it('handles head/tail counters past 2^63 (u64 wrap of the free-running counters)', () => {
    const p = new FakeProducer(2, { startHead: (1n << 64n) - 64n });
    const rb = new RingBuffer(p.buffer, { pageSize: PAGE });
    for (let i = 0; i < 4; i++) p.write(sample(i));
    p.head = BigInt.asUintN(64, p.head);
    assert.equal(rb.readRecords(layout).length, 4);
  });

  it('counts PERF_RECORD_LOST and PERF_RECORD_LOST_SAMPLES and still returns them', () => {
    const p = new FakeProducer(1);
    const rb = new RingBuffer(p.buffer, { pageSize: PAGE });
    p.write(encodeRecord(2, 0, (w) => w.u64(1n).u64(7n), layout, { pid: 1, tid: 1, time: 5n }));
    p.write(sample(1));
    p.write(encodeRecord(13, 0, (w) => w.u64(3n), layout, { pid: 1, tid: 1, time: 6n }));
    p.write(encodeRecord(2, 0, (w) => w.u64(1n).u64(2n), layout, { pid: 1, tid: 1, time: 7n }));
    const kinds = rb.readRecords(layout).map((r) => r.kind);
    assert.deepEqual(kinds, ['lost', 'sample', 'lost_samples', 'lost']);
    assert.equal(rb.stats.lost, 9n);
    assert.equal(rb.stats.lostSamples, 3n);
    assert.equal(rb.stats.lossEvents, 3);
  });

  it('uses the second page as data when data_offset/data_size read 0 (kernels before 4.1)', () => {
    const p = new FakeProducer(2, { legacyPage: true });
    const rb = new RingBuffer(p.buffer, { pageSize: PAGE });
    assert.equal(rb.dataOffset, PAGE);
    assert.equal(rb.dataSize, 2 * PAGE);
  });

  it('throws ERR_DECODE on a zero-size record instead of looping, and on a head past a whole ring', () => {
    const p = new FakeProducer(1);
    const rb = new RingBuffer(p.buffer, { pageSize: PAGE });
    p.write(new Uint8Array(16)); // header.size 0
    assert.throws(() => rb.readRecords(layout), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_DECODE');
    const q = new FakeProducer(1);
    const rb2 = new RingBuffer(q.buffer, { pageSize: PAGE });
    q.dv.setBigUint64(MMAP_PAGE.data_head.offset, BigInt(2 * PAGE), true);
    assert.throws(() => rb2.readBytes(), /more than the 4096-byte ring/);
  });

  it('refuses sizes that are not a power of two and backward mode without a pause callback', () => {
    assert.throws(() => new RingBuffer(new ArrayBuffer(PAGE * 4), { pageSize: PAGE }), /power of two/);
    assert.throws(() => new RingBuffer(new FakeProducer(1).buffer, { pageSize: PAGE, backward: true }), /pauseOutput/);
  });
});

describe('shim/ring-buffer backward (overwrite) mode', () => {
  /** Plays write_backward: head moves down, records are laid out from head upwards, newest first. */
  function backwardRing(records: Buffer[], dataPages = 1): { buffer: ArrayBuffer; setHead: (h: bigint) => void; writeAll: (recs: Buffer[]) => void } {
    const buffer = new ArrayBuffer(PAGE * (1 + dataPages));
    const dv = new DataView(buffer);
    const size = PAGE * dataPages;
    dv.setBigUint64(MMAP_PAGE.data_offset.offset, BigInt(PAGE), true);
    dv.setBigUint64(MMAP_PAGE.data_size.offset, BigInt(size), true);
    let head = 0n;
    const data = new Uint8Array(buffer, PAGE, size);
    const writeAll = (recs: Buffer[]): void => {
      for (const r of recs) {
        head -= BigInt(r.length);
        for (let i = 0; i < r.length; i++) data[Number(BigInt.asUintN(64, head + BigInt(i)) % BigInt(size))] = r[i]!;
      }
      dv.setBigUint64(MMAP_PAGE.data_head.offset, BigInt.asUintN(64, head), true);
    };
    writeAll(records);
    return { buffer, setHead: (h) => dv.setBigUint64(MMAP_PAGE.data_head.offset, h, true), writeAll };
  }

  it('pauses output, reads newest-to-oldest from the head, returns oldest first, resumes', () => {
    const recs = [0, 1, 2, 3].map((i) => sample(i));
    const ring = backwardRing(recs);
    const pause = sinon.spy();
    const rb = new RingBuffer(ring.buffer, { pageSize: PAGE, backward: true, pauseOutput: pause });
    const got = rb.readRecords(layout) as SampleRecord[];
    assert.deepEqual(got.map((r) => r.time), [1000n, 1001n, 1002n, 1003n]);
    assert.deepEqual(pause.args, [[true], [false]]);
    // Only what is newer than the previous read comes back next time.
    ring.writeAll([sample(4)]);
    assert.deepEqual((rb.readRecords(layout) as SampleRecord[]).map((r) => r.time), [1004n]);
  });

  it('after the ring wrapped, keeps the newest whole records and skips the half-overwritten oldest', () => {
    const one = sample(0);
    const n = Math.ceil(PAGE / one.length) + 3;
    const ring = backwardRing(Array.from({ length: n }, (_, i) => sample(i)));
    const rb = new RingBuffer(ring.buffer, { pageSize: PAGE, backward: true, pauseOutput: () => undefined });
    const got = rb.readRecords(layout) as SampleRecord[];
    const fit = Math.floor(PAGE / one.length);
    assert.equal(got.length, fit);
    assert.equal(got.at(-1)!.time, BigInt(1000 + n - 1));
    assert.equal(got[0]!.time, BigInt(1000 + n - fit));
    assert.equal(rb.stats.overwritten, PAGE - fit * one.length);
  });
});

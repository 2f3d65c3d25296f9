import assert from 'node:assert/strict';
import { RecordView } from '../../../src/abi/record-view';
import { decodeRecords, PerfRecord, SampleRecord } from '../../../src/abi/records';
import { PERF_FORMAT } from '../../../src/abi/constants';
import { PerfcompatError } from '../../../src/errors';
import { MMAP_PAGE } from '../../../src/abi/mmap-page';
import { RingBuffer } from '../../../src/shim/ring-buffer';
import { EncLayout, encodeRecord, encodeSample, withHeader } from './record-encoder';

// sample_type bits by number (perf_event.h enum perf_event_sample_format).
const IP = 1n << 0n, TID = 1n << 1n, TIME = 1n << 2n, ADDR = 1n << 3n, READ = 1n << 4n, CALLCHAIN = 1n << 5n,
  ID = 1n << 6n, CPU = 1n << 7n, PERIOD = 1n << 8n, STREAM_ID = 1n << 9n, RAW = 1n << 10n, IDENTIFIER = 1n << 16n;
const FIXED = [IDENTIFIER, IP, TID, TIME, ADDR, ID, STREAM_ID, CPU, PERIOD];

/** A stream of samples, COMM and LOST_SAMPLES records and an unknown type, all with distinct field values. */
function stream(layout: EncLayout, n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const k = BigInt(i);
    const ids = { pid: 100 + i, tid: 200 + i, time: 0x1_0000_0000n + k, id: 300n + k, streamId: 400n + k, cpu: i % 4, identifier: 500n + k };
    if (i % 5 === 0) parts.push(encodeRecord(3, 0, (w) => w.u32(ids.pid).u32(ids.tid).cstring(`t${i}`), layout, ids));
    if (i % 7 === 3) parts.push(encodeRecord(13, 0, (w) => w.u64(k), layout, ids));
    if (i % 11 === 5) parts.push(withHeader(99, 0, Buffer.alloc(8)));
    parts.push(encodeSample({
      ...ids, ip: 0xffff_8000_0000_0000n + k, addr: 0x7000n + k, period: 1000n + k,
      read: { timeEnabled: 7n, values: [{ value: k, id: 9n }, { value: k + 1n, id: 10n }] },
      callchain: [1n, 2n + k], raw: Buffer.from([1, 2, 3, i & 0xff]),
    }, layout));
  }
  return Buffer.concat(parts);
}

/** A u64 as RecordView's number getters give it: exact below 2^53, else NaN. */
const exactNumber = (v: bigint | undefined): number | undefined => v === undefined ? undefined : v < 2n ** 53n ? Number(v) : NaN;

function walk(view: RecordView, bytes: Uint8Array): PerfRecord[] {
  const expected = decodeRecords(bytes, view.layout);
  view.reset(bytes);
  let i = 0;
  while (view.next()) {
    const want = expected[i++]!;
    assert.equal(view.type, want.type);
    assert.equal(view.misc, want.misc);
    assert.equal(view.size, want.size);
    assert.equal(view.isSample, want.kind === 'sample');
    const s: Partial<SampleRecord> = want.kind === 'sample' ? want : {};
    assert.equal(view.identifier, s.identifier);
    assert.equal(view.ip, s.ip);
    assert.equal(view.pid, s.pid);
    assert.equal(view.tid, s.tid);
    assert.equal(view.time, s.time);
    assert.equal(view.addr, s.addr);
    assert.equal(view.id, s.id);
    assert.equal(view.streamId, s.streamId);
    assert.equal(view.cpu, s.cpu);
    assert.equal(view.period, s.period);
    // The number twins: the bigint's value where it is exact as a number, NaN where not (ip here is a kernel address).
    assert.deepEqual(
      [view.identifierNumber, view.ipNumber, view.timeNumber, view.addrNumber, view.idNumber, view.streamIdNumber, view.periodNumber],
      [s.identifier, s.ip, s.time, s.addr, s.id, s.streamId, s.period].map(exactNumber));
    assert.deepEqual(view.record(), want);
  }
  assert.equal(i, expected.length);
  return expected;
}

describe('abi/record-view', () => {
  it('gives the same records as decodeRecords for every subset of the fixed sample fields, with and without variable fields and sample_id_all', () => {
    const view = (l: EncLayout): RecordView => new RecordView({ sampleType: l.sampleType, readFormat: l.readFormat ?? 0n, sampleIdAll: l.sampleIdAll ?? false });
    let walked = 0;
    for (let mask = 0; mask < 1 << FIXED.length; mask++) {
      let st = 0n;
      FIXED.forEach((b, i) => { if (mask & (1 << i)) st |= b; });
      for (const extra of [0n, READ | CALLCHAIN | RAW]) {
        for (const sampleIdAll of [false, true]) {
          const layout: EncLayout = { sampleType: st | extra, readFormat: PERF_FORMAT.GROUP | PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.ID, sampleIdAll };
          walked += walk(view(layout), stream(layout, 12)).length;
        }
      }
    }
    assert.ok(walked > 0);
  });

  it('gives the same answers whether the bytes start 8-byte aligned (typed-array reads) or not (DataView reads)', () => {
    const layout: EncLayout = { sampleType: IP | TID | TIME | ADDR | ID | CPU | PERIOD | CALLCHAIN, sampleIdAll: true };
    const bytes = stream(layout, 30);
    for (const shift of [0, 1, 2, 4, 8]) {
      const backing = new Uint8Array(new ArrayBuffer(bytes.length + 16));
      backing.set(bytes, shift);
      const at = backing.subarray(shift, shift + bytes.length);
      assert.equal(at.byteOffset, shift);
      assert.ok(walk(new RecordView(layout), at).length > 30);
    }
  });

  it('number getters at the edges of exactness (2^32, 2^53, 2^64 - 1), aligned and not', () => {
    const layout: EncLayout = { sampleType: IP | TIME | ADDR | PERIOD };
    const edges = [0n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    const bytes = Buffer.concat(edges.map((v, i) => encodeSample({ ip: v, time: edges[(i + 1) % edges.length]!, addr: v ^ 1n, period: edges[(i + 3) % edges.length]! }, layout)));
    for (const shift of [0, 1, 4]) {
      const at = new Uint8Array(new ArrayBuffer(bytes.length + 8), shift, bytes.length);
      at.set(bytes);
      const v = new RecordView(layout).reset(at);
      let i = 0;
      while (v.next()) {
        const want = [edges[i]!, edges[(i + 1) % edges.length]!, edges[i]! ^ 1n, edges[(i + 3) % edges.length]!];
        assert.deepEqual([v.ip, v.time, v.addr, v.period], want);
        assert.deepEqual([v.ipNumber, v.timeNumber, v.addrNumber, v.periodNumber], want.map(exactNumber));
        assert.equal(v.idNumber, undefined);
        i++;
      }
      assert.equal(i, edges.length);
    }
  });

  it('over the bytes of a ring whose records wrap its end (RingBuffer.readBytes), the records decodeRecords gives', () => {
    const layout: EncLayout = { sampleType: IP | TID | TIME | PERIOD | CALLCHAIN, sampleIdAll: true };
    const page = 4096;
    const dataSize = page;
    const buffer = new ArrayBuffer(page + dataSize);
    const ctl = new DataView(buffer);
    ctl.setBigUint64(MMAP_PAGE.data_offset.offset, BigInt(page), true);
    ctl.setBigUint64(MMAP_PAGE.data_size.offset, BigInt(dataSize), true);
    const data = new Uint8Array(buffer, page, dataSize);
    const ring = new RingBuffer(buffer, { pageSize: page });
    const view = new RecordView(layout);
    let head = 0;
    let wrapped = 0;
    for (let round = 0; round < 12; round++) {
      const chunk = stream(layout, 5 + round);
      assert.ok(chunk.length < dataSize);
      // The producer: copy at head, wrapping at the end of the ring, then publish head.
      for (let i = 0; i < chunk.length; i++) data[(head + i) % dataSize] = chunk[i]!;
      if ((head % dataSize) + chunk.length > dataSize) wrapped++;
      head += chunk.length;
      ctl.setBigUint64(MMAP_PAGE.data_head.offset, BigInt(head), true);
      const bytes = ring.readBytes();
      assert.deepEqual(Buffer.from(bytes), chunk);
      walk(view, bytes);
    }
    assert.ok(wrapped > 0, 'some chunk wrapped the ring');
  });

  it('one view walks one stream after another (reset) and stops at the end', () => {
    const layout: EncLayout = { sampleType: IP | TID | TIME | PERIOD | CALLCHAIN, sampleIdAll: true };
    const v = new RecordView(layout);
    walk(v, stream(layout, 20));
    walk(v, stream(layout, 3));
    assert.equal(v.next(), false);
    assert.equal(new RecordView(layout).reset(new Uint8Array(0)).next(), false);
  });

  it('throws ERR_DECODE for a bad header where decodeRecords does, and a field past a short record', () => {
    const layout: EncLayout = { sampleType: IP | TIME };
    const isDecode = (e: unknown): boolean => e instanceof PerfcompatError && e.code === 'ERR_DECODE';
    const good = stream(layout, 2);
    for (const bad of [good.subarray(0, good.length - 4), Buffer.concat([good, Buffer.alloc(4)])]) {
      assert.throws(() => decodeRecords(bad, layout), isDecode);
      const v = new RecordView(layout).reset(bad);
      assert.throws(() => { while (v.next()); }, isDecode);
    }
    const short = withHeader(9, 0, Buffer.alloc(8)); // ip only: time is missing
    const v = new RecordView(layout).reset(short);
    assert.equal(v.next(), true);
    assert.equal(v.ip, 0n);
    assert.throws(() => v.time, isDecode);
    assert.throws(() => v.record(), isDecode);
    assert.throws(() => new RecordView(layout).record(), RangeError);
    assert.throws(() => new RecordView(layout).reset('x' as unknown as Uint8Array), RangeError);
  });
});

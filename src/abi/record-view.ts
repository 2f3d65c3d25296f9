/**
 * Walk a run of records without building an object per record: one reusable
 * view that moves from header to header, reads a sample's fixed-position
 * fields (identifier, ip, pid/tid, time, addr, id, stream_id, cpu, period —
 * everything perf_output_sample() writes before the first variable-length
 * field) on access, and builds the full record (decodeRecord) only when
 * asked. Pure: no I/O.
 *
 * next() checks each header as decodeRecords does; the field getters check
 * that their field lies inside the record; only record() checks the whole
 * record against the layout.
 *
 * Records in a ring buffer are host-endian and 8-byte aligned (the kernel
 * pads every record to a multiple of u64). Where the walked bytes start on an
 * 8-byte boundary of a little-endian host, fields are read through 64- and
 * 32-bit typed arrays over the same memory, which V8 reads several times
 * faster than DataView's getBigUint64; anything else (an odd offset, a
 * big-endian host) goes through the DataView.
 *
 * Each u64 field has a number twin (ipNumber, timeNumber, ...) that reads
 * the two 32-bit halves and allocates no BigInt: exact below 2^53, NaN at or
 * above it (kernel addresses), where the bigint getter is the answer.
 */
import { LITTLE_ENDIAN_HOST } from './byte-view';
import { PERF_RECORD } from './constants';
import { decodeError } from './record-cursor';
import { CompiledLayout, layoutArg, RecordLayout, S_ADDR, S_CPU, S_ID, S_IDENTIFIER, S_IP, S_PERIOD, S_STREAM_ID, S_TID, S_TIME } from './record-layout';
import type { PerfRecord } from './record-types';
import { decodeRecord, PERF_EVENT_HEADER_SIZE } from './records';

/** Byte offsets (from the record's start) of a sample's fixed fields, -1 when sample_type lacks them. */
interface FixedOffsets { identifier: number; ip: number; tid: number; time: number; addr: number; id: number; streamId: number; cpu: number; period: number }


function fixedOffsets(st: number): FixedOffsets {
  let off = PERF_EVENT_HEADER_SIZE;
  const at = (bit: number): number => { if (!(st & bit)) return -1; const o = off; off += 8; return o; };
  // The order of perf_output_sample(), as decodeSample reads it.
  const identifier = at(S_IDENTIFIER), ip = at(S_IP), tid = at(S_TID), time = at(S_TIME), addr = at(S_ADDR);
  const id = at(S_ID), streamId = at(S_STREAM_ID), cpu = at(S_CPU), period = at(S_PERIOD);
  return { identifier, ip, tid, time, addr, id, streamId, cpu, period };
}

const TWO32 = 2 ** 32;
/** A high word from here on makes the u64 2^53 or more: no longer exact as a number. */
const HI_EXACT = 2 ** 21;

export class RecordView {
  readonly layout: CompiledLayout;
  private readonly at: FixedOffsets;
  private bytes: Uint8Array = new Uint8Array(0);
  private dv: DataView = new DataView(new ArrayBuffer(0));
  /** The bytes as u64 and u32 words, when they start 8-byte aligned on a little-endian host. */
  private q: BigUint64Array | undefined;
  private w: Uint32Array | undefined;
  private nextOffset = 0;
  /** bytes.byteLength, kept at reset(). */
  private length = 0;
  /** Byte offset of the current record in the walked bytes (-1 before the first next()). */
  offset = -1;
  type = 0;
  misc = 0;
  size = 0;
  private sample = false;

  constructor(layout: RecordLayout | CompiledLayout) {
    this.layout = layoutArg(layout);
    this.at = fixedOffsets(this.layout.sampleType);
  }

  /** Start walking `bytes` (a contiguous run of records); returns the view. */
  reset(bytes: Uint8Array): this {
    if (!(bytes instanceof Uint8Array)) throw new RangeError('RecordView.reset: bytes must be a Uint8Array');
    this.bytes = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const aligned = LITTLE_ENDIAN_HOST && bytes.byteOffset % 8 === 0;
    this.q = aligned ? new BigUint64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 3) : undefined;
    this.w = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2) : undefined;
    this.nextOffset = 0;
    this.length = bytes.byteLength;
    this.offset = -1;
    this.sample = false;
    return this;
  }

  /** Move to the next record; false at the end of the bytes. A bad header throws ERR_DECODE as decodeRecords does. */
  next(): boolean {
    const off = this.nextOffset;
    const len = this.length;
    if (off >= len) return false;
    if (len - off < PERF_EVENT_HEADER_SIZE) throw decodeError(`record at byte ${off}: ${len - off} trailing bytes cannot hold a header`);
    const w = this.w;
    let type: number;
    let word: number;
    if (w !== undefined && (off & 3) === 0) {
      type = w[off >>> 2]!;
      word = w[(off >>> 2) + 1]!; // misc | size << 16
    } else {
      type = this.dv.getUint32(off, true);
      word = this.dv.getUint32(off + 4, true);
    }
    const size = word >>> 16;
    if (size < PERF_EVENT_HEADER_SIZE) throw decodeError(`record at byte ${off}: header.size ${size} is smaller than the header itself`);
    if (off + size > len) throw decodeError(`record at byte ${off}: header.size ${size} runs past the ${len - off} bytes available`);
    this.offset = off;
    this.type = type;
    this.misc = word & 0xffff;
    this.sample = type === PERF_RECORD.SAMPLE;
    this.size = size;
    this.nextOffset = off + size;
    return true;
  }

  /** The current record in full, as decodeRecord builds it. */
  record(): PerfRecord {
    if (this.offset < 0) throw new RangeError('RecordView.record: call next() first');
    return decodeRecord(this.bytes, this.layout, this.offset);
  }

  get isSample(): boolean {
    return this.sample;
  }

  private u64(o: number, field: string): bigint | undefined {
    if (o < 0 || !this.sample) return undefined;
    if (o + 8 > this.size) throw decodeError(`PERF_RECORD_SAMPLE at byte ${this.offset} (size ${this.size}): ends before ${field}`);
    const at = this.offset + o;
    return this.q !== undefined && (at & 7) === 0 ? this.q[at >>> 3]! : this.dv.getBigUint64(at, true);
  }
  /** The u64 as a number where it is one exactly (below 2^53), NaN where it is not (the bigint getter has it). */
  private n64(o: number, field: string): number | undefined {
    if (o < 0 || !this.sample) return undefined;
    if (o + 8 > this.size) throw decodeError(`PERF_RECORD_SAMPLE at byte ${this.offset} (size ${this.size}): ends before ${field}`);
    const at = this.offset + o;
    const w = this.w;
    const aligned = w !== undefined && (at & 3) === 0;
    const hi = aligned ? w[(at >>> 2) + 1]! : this.dv.getUint32(at + 4, true);
    if (hi >= HI_EXACT) return NaN;
    return hi * TWO32 + (aligned ? w[at >>> 2]! : this.dv.getUint32(at, true));
  }
  private u32(o: number, half: 0 | 4, field: string): number | undefined {
    if (o < 0 || !this.sample) return undefined;
    if (o + 8 > this.size) throw decodeError(`PERF_RECORD_SAMPLE at byte ${this.offset} (size ${this.size}): ends before ${field}`);
    const at = this.offset + o + half;
    return this.w !== undefined && (at & 3) === 0 ? this.w[at >>> 2]! : this.dv.getUint32(at, true);
  }

  get identifier(): bigint | undefined { return this.u64(this.at.identifier, 'identifier'); }
  get ip(): bigint | undefined { return this.u64(this.at.ip, 'ip'); }
  get pid(): number | undefined { return this.u32(this.at.tid, 0, 'pid'); }
  get tid(): number | undefined { return this.u32(this.at.tid, 4, 'tid'); }
  get time(): bigint | undefined { return this.u64(this.at.time, 'time'); }
  get addr(): bigint | undefined { return this.u64(this.at.addr, 'addr'); }
  get id(): bigint | undefined { return this.u64(this.at.id, 'id'); }
  get streamId(): bigint | undefined { return this.u64(this.at.streamId, 'stream_id'); }
  get cpu(): number | undefined { return this.u32(this.at.cpu, 0, 'cpu'); }
  get period(): bigint | undefined { return this.u64(this.at.period, 'period'); }

  // The same u64 fields as numbers, allocating no BigInt: exact, or NaN where the value is 2^53 or more (a kernel
  // address is) — read the bigint getter then. undefined where the bigint getter gives undefined.
  get identifierNumber(): number | undefined { return this.n64(this.at.identifier, 'identifier'); }
  get ipNumber(): number | undefined { return this.n64(this.at.ip, 'ip'); }
  get timeNumber(): number | undefined { return this.n64(this.at.time, 'time'); }
  get addrNumber(): number | undefined { return this.n64(this.at.addr, 'addr'); }
  get idNumber(): number | undefined { return this.n64(this.at.id, 'id'); }
  get streamIdNumber(): number | undefined { return this.n64(this.at.streamId, 'stream_id'); }
  get periodNumber(): number | undefined { return this.n64(this.at.period, 'period'); }
}

/**
 * Reading a perf mmap ring buffer: one control page (struct
 * perf_event_mmap_page) followed by 2^n data pages, shared with the kernel.
 *
 * Forward mode (the default): the kernel writes at data_head and never past
 * data_tail. We read data_head with an atomic load (acquire: the record bytes
 * the kernel wrote before publishing the head are visible after it), copy
 * [tail, head) out — in two pieces when it wraps the end of the buffer — and
 * only then publish data_tail with an atomic store (release: the kernel may
 * reuse the space once it sees the new tail).
 *
 * Backward mode (write_backward, 4.7+, a read-only mapping): the kernel
 * overwrites old data and data_head moves down. We pause output
 * (PERF_EVENT_IOC_PAUSE_OUTPUT), walk the records from the head towards the
 * previous head, resume, and return them oldest first.
 *
 * No syscalls here: pausing goes through the callback the sampler passes.
 */
import { MMAP_PAGE } from '../abi/mmap-page';
import { PERF_RECORD } from '../abi/constants';
import { CompiledLayout, decodeRecords, PerfRecord, RecordLayout, PERF_EVENT_HEADER_SIZE } from '../abi/records';
import { PerfcompatError } from '../errors';
import { optionsArg } from './entry-args';
import { logger } from '../sys/log';

const log = logger('sample');

const HEAD_INDEX = MMAP_PAGE.data_head.offset / 8;
const TAIL_INDEX = MMAP_PAGE.data_tail.offset / 8;

export interface RingBufferOptions {
  /** The system page size (the control page is one page). */
  pageSize: number;
  /** The event was opened with write_backward and mapped read-only. */
  backward?: boolean;
  /** Pause (true) or resume (false) the kernel's output; needed for backward mode. */
  pauseOutput?: (paused: boolean) => void;
}

/** What the ring buffer has seen so far. */
export interface RingStats {
  /** Records returned. */
  records: number;
  /** Bytes copied out of the ring. */
  bytes: number;
  /** Sum of PERF_RECORD_LOST.lost: records the kernel dropped because the ring was full. */
  lost: bigint;
  /** Sum of PERF_RECORD_LOST_SAMPLES.lost: samples the PMU or kernel dropped. */
  lostSamples: bigint;
  /** Number of PERF_RECORD_LOST and PERF_RECORD_LOST_SAMPLES records. */
  lossEvents: number;
  /** Backward mode: bytes of the oldest record the kernel had half overwritten (skipped). */
  overwritten: number;
}

export class RingBuffer {
  readonly dataOffset: number;
  readonly dataSize: number;
  readonly backward: boolean;
  private readonly ctl: BigInt64Array;
  private readonly page: DataView;
  private readonly data: Uint8Array;
  private readonly mask: bigint;
  private readonly pause?: (paused: boolean) => void;
  /** Backward mode: the head at the previous read (data older than it was already returned). */
  private prevHead = 0n;
  readonly stats: RingStats = { records: 0, bytes: 0, lost: 0n, lostSamples: 0n, lossEvents: 0, overwritten: 0 };

  constructor(buffer: ArrayBuffer, options: RingBufferOptions) {
    const { pageSize } = optionsArg<RingBufferOptions>('RingBuffer', options);
    if (!(buffer instanceof ArrayBuffer)) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'ring buffer: expected the ArrayBuffer of a perf mmap (control page + 2^n data pages)');
    }
    if (!Number.isInteger(pageSize) || pageSize < 4096 || (pageSize & (pageSize - 1)) !== 0) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `ring buffer: page size ${pageSize} is not a power of two of at least 4096`);
    }
    this.page = new DataView(buffer, 0, pageSize);
    this.ctl = new BigInt64Array(buffer, 0, pageSize / 8);
    // data_offset/data_size exist from 4.1; before that they read 0 and the data starts at the second page.
    let off = Number(this.page.getBigUint64(MMAP_PAGE.data_offset.offset, true));
    let size = Number(this.page.getBigUint64(MMAP_PAGE.data_size.offset, true));
    if (off === 0 && size === 0) {
      off = pageSize;
      size = buffer.byteLength - pageSize;
    }
    if (size <= 0 || (size & (size - 1)) !== 0 || off + size > buffer.byteLength) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `ring buffer: data area of ${size} bytes at ${off} does not fit the ${buffer.byteLength}-byte mapping as a power of two`);
    }
    this.dataOffset = off;
    this.dataSize = size;
    this.mask = BigInt(size - 1);
    this.data = new Uint8Array(buffer, off, size);
    this.backward = options.backward === true;
    if (this.backward && !options.pauseOutput) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'ring buffer: backward (overwrite) mode needs pauseOutput to stop the kernel while reading');
    }
    if (options.pauseOutput) this.pause = options.pauseOutput;
  }

  /** data_head (acquire). */
  head(): bigint {
    return BigInt.asUintN(64, Atomics.load(this.ctl, HEAD_INDEX));
  }

  /** data_tail as last published. */
  tail(): bigint {
    return BigInt.asUintN(64, Atomics.load(this.ctl, TAIL_INDEX));
  }

  /** The control page, for time_* fields and capabilities. */
  controlPage(): DataView {
    return this.page;
  }

  /** Bytes waiting to be read (forward mode). */
  available(): number {
    return Number(BigInt.asUintN(64, this.head() - this.tail()));
  }

  /** Copy `len` bytes starting at ring position `pos` (any u64) into `out` at `at`, wrapping at the end. */
  private copyOut(pos: bigint, len: number, out: Uint8Array, at: number): void {
    const start = Number(pos & this.mask);
    const first = Math.min(len, this.dataSize - start);
    out.set(this.data.subarray(start, start + first), at);
    if (first < len) out.set(this.data.subarray(0, len - first), at + first); // the record wraps the end
  }

  /**
   * Forward mode: copy every complete record the kernel has published into a
   * fresh buffer, then release the space. The bytes are the caller's.
   */
  readBytes(): Uint8Array {
    if (this.backward) return this.readBackwardBytes();
    const head = this.head(); // acquire
    const tail = this.tail();
    const len = BigInt.asUintN(64, head - tail);
    if (len === 0n) return new Uint8Array(0);
    if (len > BigInt(this.dataSize)) {
      // Cannot happen with a writable mapping; resync rather than read garbage.
      Atomics.store(this.ctl, TAIL_INDEX, BigInt.asIntN(64, head));
      throw new PerfcompatError('ERR_DECODE', `ring buffer: head ${head} is ${len} bytes past tail ${tail}, more than the ${this.dataSize}-byte ring holds (was the mapping read-only?)`);
    }
    const out = new Uint8Array(Number(len));
    this.copyOut(tail, out.length, out, 0);
    Atomics.store(this.ctl, TAIL_INDEX, BigInt.asIntN(64, head)); // release: after the copy
    this.stats.bytes += out.length;
    return out;
  }

  private readBackwardBytes(): Uint8Array {
    this.pause!(true);
    try {
      const head = this.head();
      // Data lies in [head, prevHead) of the downward-growing counter, at most one ring's worth.
      let avail = BigInt.asUintN(64, this.prevHead - head);
      if (avail === 0n) return new Uint8Array(0);
      const limit = avail > BigInt(this.dataSize) ? BigInt(this.dataSize) : avail;
      avail = limit;
      // Walk record headers from the head: the newest record is first; the last one may be overwritten in part.
      const view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
      const pieces: { pos: bigint; size: number }[] = [];
      let walked = 0n;
      while (walked + BigInt(PERF_EVENT_HEADER_SIZE) <= avail) {
        const pos = head + walked;
        const size = view.getUint16(Number(pos & this.mask) + 6, true);
        if (size < PERF_EVENT_HEADER_SIZE || walked + BigInt(size) > avail) {
          this.stats.overwritten += Number(avail - walked);
          break;
        }
        pieces.push({ pos, size });
        walked += BigInt(size);
      }
      // Oldest first.
      pieces.reverse();
      const out = new Uint8Array(Number(walked));
      let at = 0;
      for (const p of pieces) {
        this.copyOut(p.pos, p.size, out, at);
        at += p.size;
      }
      this.prevHead = head;
      this.stats.bytes += out.length;
      return out;
    } finally {
      this.pause!(false);
    }
  }

  /**
   * Read and decode everything available. PERF_RECORD_LOST and
   * PERF_RECORD_LOST_SAMPLES are counted in `stats` and returned like any record.
   */
  readRecords(layout: RecordLayout | CompiledLayout): PerfRecord[] {
    const out = decodeRecords(this.readBytes(), layout);
    for (const rec of out) {
      if (rec.type === PERF_RECORD.LOST && rec.kind === 'lost') {
        this.stats.lost += rec.lost;
        this.stats.lossEvents++;
        if (log.enabled) log('PERF_RECORD_LOST: %s records dropped (ring full)', rec.lost);
      } else if (rec.kind === 'lost_samples') {
        this.stats.lostSamples += rec.lost;
        this.stats.lossEvents++;
        if (log.enabled) log('PERF_RECORD_LOST_SAMPLES: %s samples dropped', rec.lost);
      }
    }
    this.stats.records += out.length;
    return out;
  }
}

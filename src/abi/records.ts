/**
 * Decoders for the records a perf ring buffer carries (enum perf_event_type):
 * every PERF_RECORD_* type of the ABI tables, every PERF_SAMPLE_* field in the
 * order kernel/events/core.c perf_output_sample() writes them, and the
 * sample_id trailer that sample_id_all appends to non-sample records.
 * Pure: no I/O. Little-endian layouts.
 *
 * Byte-array fields (raw, stack data, aux data, build ids, text_poke bytes)
 * and callchains (BigUint64Array) are views into the input when it is 8-byte
 * aligned: callers that reuse the input copy what they keep (the ring buffer
 * hands the decoder a fresh copy per read, so its records are the caller's).
 */
import { PERF_CONTEXT, PERF_FORMAT, PERF_RECORD, PERF_RECORD_MISC, RECORD_TYPES, SAMPLE_TYPE_MAX_BIT } from './constants';
import { decodeRead, readSize, ReadResult } from './read-format';
import { PerfcompatError } from '../errors';

/** What a decoder must know of the event that wrote the records. */
export interface RecordLayout {
  /** attr.sample_type */
  sampleType: bigint | number;
  /** attr.read_format (for PERF_SAMPLE_READ and PERF_RECORD_READ) */
  readFormat?: bigint | number;
  /** attr.sample_id_all: non-sample records end with a sample_id trailer */
  sampleIdAll?: boolean;
  /** attr.branch_sample_type (hw_index and counters change the branch stack layout) */
  branchSampleType?: bigint | number;
  /** attr.sample_regs_user (one u64 per set bit follows the abi word) */
  sampleRegsUser?: bigint | number;
  /** attr.sample_regs_intr */
  sampleRegsIntr?: bigint | number;
}

export const PERF_EVENT_HEADER_SIZE = 8;

/* sample_type bits, as numbers (bit 24 is the highest; all fit in 32 bits). */
const S_IP = 1 << 0, S_TID = 1 << 1, S_TIME = 1 << 2, S_ADDR = 1 << 3, S_READ = 1 << 4,
  S_CALLCHAIN = 1 << 5, S_ID = 1 << 6, S_CPU = 1 << 7, S_PERIOD = 1 << 8, S_STREAM_ID = 1 << 9,
  S_RAW = 1 << 10, S_BRANCH_STACK = 1 << 11, S_REGS_USER = 1 << 12, S_STACK_USER = 1 << 13,
  S_WEIGHT = 1 << 14, S_DATA_SRC = 1 << 15, S_IDENTIFIER = 1 << 16, S_TRANSACTION = 1 << 17,
  S_REGS_INTR = 1 << 18, S_PHYS_ADDR = 1 << 19, S_AUX = 1 << 20, S_CGROUP = 1 << 21,
  S_DATA_PAGE_SIZE = 1 << 22, S_CODE_PAGE_SIZE = 1 << 23, S_WEIGHT_STRUCT = 1 << 24;

const BRANCH_HW_INDEX = 1n << 17n;
const BRANCH_COUNTERS = 1n << 19n;

/** The sample_id trailer (sample_id_all) and the identity fields of a sample. */
export interface SampleId {
  pid?: number;
  tid?: number;
  time?: bigint;
  id?: bigint;
  streamId?: bigint;
  cpu?: number;
  /** PERF_SAMPLE_IDENTIFIER */
  identifier?: bigint;
}

export interface BranchEntry {
  from: bigint;
  to: bigint;
  /** The flags word (mispred, predicted, in_tx, abort, cycles, type, spec, new_type, priv); see decodeBranchFlags. */
  flags: bigint;
}

export interface BranchStack {
  /** PERF_SAMPLE_BRANCH_HW_INDEX: the hardware index of the newest entry (-1 unknown). */
  hwIdx?: bigint;
  entries: BranchEntry[];
  /** PERF_SAMPLE_BRANCH_COUNTERS: one word per entry. */
  counters?: bigint[];
}

export interface SampledRegs {
  /** enum perf_sample_regs_abi: 0 none (no registers follow), 1 32-bit, 2 64-bit */
  abi: number;
  /** One value per bit of the mask, lowest bit first. */
  regs: bigint[];
}

export interface SampleRecord {
  kind: 'sample';
  type: 9;
  misc: number;
  size: number;
  identifier?: bigint;
  ip?: bigint;
  pid?: number;
  tid?: number;
  time?: bigint;
  addr?: bigint;
  id?: bigint;
  streamId?: bigint;
  cpu?: number;
  period?: bigint;
  read?: ReadResult;
  /** The callchain: PERF_CONTEXT_* markers and addresses (u64 words; a view of the input like the byte fields). */
  callchain?: BigUint64Array;
  raw?: Uint8Array;
  branchStack?: BranchStack;
  regsUser?: SampledRegs;
  stackUser?: { size: bigint; data: Uint8Array; dynSize: bigint };
  /** PERF_SAMPLE_WEIGHT */
  weight?: bigint;
  /** PERF_SAMPLE_WEIGHT_STRUCT */
  weightStruct?: { var1: number; var2: number; var3: number };
  dataSrc?: bigint;
  transaction?: bigint;
  regsIntr?: SampledRegs;
  physAddr?: bigint;
  cgroup?: bigint;
  dataPageSize?: bigint;
  codePageSize?: bigint;
  aux?: Uint8Array;
}

interface Base<K extends string, T extends number> {
  kind: K;
  type: T;
  misc: number;
  size: number;
  /** Present when the layout says sample_id_all. */
  sampleId?: SampleId;
}

export interface MmapRecord extends Base<'mmap', 1> { pid: number; tid: number; addr: bigint; len: bigint; pgoff: bigint; filename: string }
export interface LostRecord extends Base<'lost', 2> { id: bigint; lost: bigint }
export interface CommRecord extends Base<'comm', 3> { pid: number; tid: number; comm: string; exec: boolean }
export interface ExitRecord extends Base<'exit', 4> { pid: number; ppid: number; tid: number; ptid: number; time: bigint }
export interface ThrottleRecord extends Base<'throttle', 5> { time: bigint; id: bigint; streamId: bigint }
export interface UnthrottleRecord extends Base<'unthrottle', 6> { time: bigint; id: bigint; streamId: bigint }
export interface ForkRecord extends Base<'fork', 7> { pid: number; ppid: number; tid: number; ptid: number; time: bigint }
export interface ReadRecord extends Base<'read', 8> { pid: number; tid: number; values: ReadResult }
export interface Mmap2Record extends Base<'mmap2', 10> {
  pid: number; tid: number; addr: bigint; len: bigint; pgoff: bigint;
  /** Inode form (no PERF_RECORD_MISC_MMAP_BUILD_ID). */
  maj?: number; min?: number; ino?: bigint; inoGeneration?: bigint;
  /** Build-id form (PERF_RECORD_MISC_MMAP_BUILD_ID): build_id_size bytes. */
  buildId?: Uint8Array;
  prot: number; flags: number; filename: string;
}
export interface AuxRecord extends Base<'aux', 11> { auxOffset: bigint; auxSize: bigint; flags: bigint }
export interface ItraceStartRecord extends Base<'itrace_start', 12> { pid: number; tid: number }
export interface LostSamplesRecord extends Base<'lost_samples', 13> { lost: bigint }
export interface SwitchRecord extends Base<'switch', 14> { out: boolean; preempt: boolean }
export interface SwitchCpuWideRecord extends Base<'switch_cpu_wide', 15> { out: boolean; preempt: boolean; nextPrevPid: number; nextPrevTid: number }
export interface NamespacesRecord extends Base<'namespaces', 16> { pid: number; tid: number; namespaces: { dev: bigint; inode: bigint }[] }
export interface KsymbolRecord extends Base<'ksymbol', 17> { addr: bigint; len: number; ksymType: number; flags: number; name: string }
export interface BpfEventRecord extends Base<'bpf_event', 18> { bpfType: number; flags: number; id: number; tag: Uint8Array }
export interface CgroupRecord extends Base<'cgroup', 19> { id: bigint; path: string }
export interface TextPokeRecord extends Base<'text_poke', 20> { addr: bigint; oldBytes: Uint8Array; newBytes: Uint8Array }
export interface AuxOutputHwIdRecord extends Base<'aux_output_hw_id', 21> { hwId: bigint }
export interface CallchainDeferredRecord extends Base<'callchain_deferred', 22> { cookie: bigint; ips: BigUint64Array }
/** A record type this library does not know: kept whole, header included. */
export interface UnknownRecord { kind: 'unknown'; type: number; misc: number; size: number; bytes: Uint8Array }

export type PerfRecord =
  | SampleRecord | MmapRecord | LostRecord | CommRecord | ExitRecord | ThrottleRecord | UnthrottleRecord
  | ForkRecord | ReadRecord | Mmap2Record | AuxRecord | ItraceStartRecord | LostSamplesRecord | SwitchRecord
  | SwitchCpuWideRecord | NamespacesRecord | KsymbolRecord | BpfEventRecord | CgroupRecord | TextPokeRecord
  | AuxOutputHwIdRecord | CallchainDeferredRecord | UnknownRecord;

export type RecordKind = PerfRecord['kind'];

const KIND_BY_TYPE = new Map<number, string>(RECORD_TYPES.map((r) => [r.value, r.name]));

/** Name of a record type ('sample', 'mmap2', …) or undefined for one this library does not know. */
export function recordKindName(type: number): string | undefined {
  return KIND_BY_TYPE.get(type);
}

function decodeError(msg: string): PerfcompatError {
  return new PerfcompatError('ERR_DECODE', msg);
}

/** A bounds-checked little-endian reader over [off, end). */
class Cursor {
  off: number;
  end: number;
  constructor(readonly dv: DataView, readonly bytes: Uint8Array, off: number, end: number, private readonly label: () => string) {
    this.off = off;
    this.end = end;
  }
  /** The record's description, built only for error messages. */
  get what(): string {
    return this.label();
  }
  need(n: number, field: string): void {
    if (this.off + n > this.end) {
      throw decodeError(`${this.what}: ends at byte ${this.end} before ${field} (${n} bytes at ${this.off})`);
    }
  }
  u64(field: string): bigint {
    this.need(8, field);
    const v = this.dv.getBigUint64(this.off, true);
    this.off += 8;
    return v;
  }
  /** A u64 that must be a count small enough to be a JS number. */
  count(field: string, unit: number): number {
    const v = this.u64(field);
    if (v > BigInt(Math.floor((this.end - this.off) / unit))) {
      throw decodeError(`${this.what}: ${field} ${v} cannot fit in the ${this.end - this.off} bytes left`);
    }
    return Number(v);
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.dv.getUint32(this.off, true);
    this.off += 4;
    return v;
  }
  u16(field: string): number {
    this.need(2, field);
    const v = this.dv.getUint16(this.off, true);
    this.off += 2;
    return v;
  }
  u8(field: string): number {
    this.need(1, field);
    return this.dv.getUint8(this.off++);
  }
  bytesOf(n: number, field: string): Uint8Array {
    this.need(n, field);
    const b = this.bytes.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
  /** n u64 words as one typed array: a view of the input when 8-byte aligned, else a copy (never n BigInts up front). */
  u64Array(n: number, field: string): BigUint64Array {
    this.need(8 * n, field);
    const abs = this.bytes.byteOffset + this.off;
    let out: BigUint64Array;
    if (abs % 8 === 0) {
      out = new BigUint64Array(this.bytes.buffer, abs, n); // a view, like the byte fields
    } else {
      out = new BigUint64Array(n);
      for (let i = 0; i < n; i++) out[i] = this.dv.getBigUint64(this.off + 8 * i, true);
    }
    this.off += 8 * n;
    return out;
  }
  u64s(n: number, field: string): bigint[] {
    this.need(8 * n, field);
    const out = new Array<bigint>(n);
    for (let i = 0; i < n; i++) out[i] = this.dv.getBigUint64(this.off + 8 * i, true);
    this.off += 8 * n;
    return out;
  }
  /** A NUL-terminated string padded to the end of the payload: reads to the first NUL, consumes the rest. */
  cstringToEnd(field: string): string {
    if (this.off >= this.end) throw decodeError(`${this.what}: no room for ${field} at byte ${this.off}`);
    const nul = this.bytes.indexOf(0, this.off);
    if (nul < 0 || nul >= this.end) throw decodeError(`${this.what}: ${field} is not NUL-terminated within the record`);
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.off, nul - this.off).toString('utf8');
    this.off = this.end;
    return s;
  }
}

function popcount64(mask: bigint): number {
  let n = 0;
  let m = BigInt.asUintN(64, mask);
  while (m !== 0n) {
    m &= m - 1n;
    n++;
  }
  return n;
}

/** The numbers a decoder derives once per layout. */
export interface CompiledLayout {
  readonly sampleType: number;
  readonly readFormat: bigint;
  readonly readGroup: boolean;
  readonly sampleIdAll: boolean;
  readonly sampleIdSize: number;
  readonly hwIndex: boolean;
  readonly branchCounters: boolean;
  readonly regsUserCount: number;
  readonly regsIntrCount: number;
}

const compiledCache = new WeakMap<RecordLayout, CompiledLayout>();

function toBig(name: string, v: bigint | number | undefined): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'number' && !Number.isInteger(v)) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `record layout ${name}: ${v} is not an integer`);
  }
  const b = BigInt(v);
  if (b < 0n) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `record layout ${name}: ${v} is negative`);
  return b;
}

/** Check a layout and derive what decoding needs (cached per layout object). */
export function compileLayout(layout: RecordLayout): CompiledLayout {
  if (layout === null || typeof layout !== 'object') {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'record layout: expected { sampleType, readFormat?, sampleIdAll?, branchSampleType?, sampleRegsUser?, sampleRegsIntr? }');
  }
  const hit = compiledCache.get(layout);
  if (hit) return hit;
  const st = toBig('sampleType', layout.sampleType);
  if (st >> BigInt(SAMPLE_TYPE_MAX_BIT) !== 0n) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `record layout sampleType 0x${st.toString(16)}: bits above PERF_SAMPLE_WEIGHT_STRUCT (bit 24) are unknown; the layout of such samples cannot be decoded`);
  }
  const sampleType = Number(st);
  if ((sampleType & S_WEIGHT) && (sampleType & S_WEIGHT_STRUCT)) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'record layout sampleType: PERF_SAMPLE_WEIGHT and PERF_SAMPLE_WEIGHT_STRUCT are exclusive (the kernel refuses both)');
  }
  const readFormat = toBig('readFormat', layout.readFormat);
  const bst = toBig('branchSampleType', layout.branchSampleType);
  let sampleIdSize = 0;
  for (const bit of [S_TID, S_TIME, S_ID, S_STREAM_ID, S_CPU, S_IDENTIFIER]) if (sampleType & bit) sampleIdSize += 8;
  const compiled: CompiledLayout = {
    sampleType,
    readFormat,
    readGroup: (readFormat & PERF_FORMAT.GROUP) !== 0n,
    sampleIdAll: layout.sampleIdAll === true,
    sampleIdSize: layout.sampleIdAll === true ? sampleIdSize : 0,
    hwIndex: (bst & BRANCH_HW_INDEX) !== 0n,
    branchCounters: (bst & BRANCH_COUNTERS) !== 0n,
    regsUserCount: popcount64(toBig('sampleRegsUser', layout.sampleRegsUser)),
    regsIntrCount: popcount64(toBig('sampleRegsIntr', layout.sampleRegsIntr)),
  };
  compiledCache.set(layout, compiled);
  return compiled;
}

/** Bytes of a read_format block at the cursor (group: reads nr without consuming it). */
function readBlockLength(c: Cursor, L: CompiledLayout): number {
  if (!L.readGroup) return readSize(L.readFormat);
  c.need(8, 'read_format nr');
  const nr = c.dv.getBigUint64(c.off, true);
  const room = BigInt(Math.floor((c.end - c.off) / 8));
  if (nr > room) throw decodeError(`${c.what}: read_format group of ${nr} members cannot fit in the ${c.end - c.off} bytes left`);
  return readSize(L.readFormat, Number(nr));
}

function readValues(c: Cursor, L: CompiledLayout): ReadResult {
  const len = readBlockLength(c, L);
  c.need(len, 'read_format values');
  const r = decodeRead(c.bytes.subarray(c.off, c.off + len), L.readFormat);
  c.off += len;
  return r;
}

function regs(c: Cursor, n: number, field: string): SampledRegs {
  const abi = Number(c.u64(`${field} abi`));
  return { abi, regs: abi === 0 ? [] : c.u64s(n, `${field} registers`) };
}

function sampleIdAt(c: Cursor, st: number): SampleId {
  const s: SampleId = {};
  if (st & S_TID) { s.pid = c.u32('sample_id pid'); s.tid = c.u32('sample_id tid'); }
  if (st & S_TIME) s.time = c.u64('sample_id time');
  if (st & S_ID) s.id = c.u64('sample_id id');
  if (st & S_STREAM_ID) s.streamId = c.u64('sample_id stream_id');
  if (st & S_CPU) { s.cpu = c.u32('sample_id cpu'); c.u32('sample_id res'); }
  if (st & S_IDENTIFIER) s.identifier = c.u64('sample_id identifier');
  return s;
}

/** Decode the fields after the branch stack (shared by both readings of an ambiguous empty stack). */
function sampleTail(c: Cursor, L: CompiledLayout, s: SampleRecord): void {
  const st = L.sampleType;
  if (st & S_REGS_USER) s.regsUser = regs(c, L.regsUserCount, 'regs_user');
  if (st & S_STACK_USER) {
    const size = c.u64('stack_user size');
    if (size === 0n) {
      s.stackUser = { size, data: c.bytes.subarray(c.off, c.off), dynSize: 0n };
    } else {
      if (size > BigInt(c.end - c.off)) throw decodeError(`${c.what}: stack_user size ${size} exceeds the ${c.end - c.off} bytes left`);
      const data = c.bytesOf(Number(size), 'stack_user data');
      const dynSize = c.u64('stack_user dyn_size');
      s.stackUser = { size, data: dynSize <= size ? data.subarray(0, Number(dynSize)) : data, dynSize };
    }
  }
  if (st & S_WEIGHT) s.weight = c.u64('weight');
  if (st & S_WEIGHT_STRUCT) {
    c.need(8, 'weight_struct');
    s.weightStruct = { var1: c.u32('weight var1_dw'), var2: c.u16('weight var2_w'), var3: c.u16('weight var3_w') };
  }
  if (st & S_DATA_SRC) s.dataSrc = c.u64('data_src');
  if (st & S_TRANSACTION) s.transaction = c.u64('transaction');
  if (st & S_REGS_INTR) s.regsIntr = regs(c, L.regsIntrCount, 'regs_intr');
  if (st & S_PHYS_ADDR) s.physAddr = c.u64('phys_addr');
  if (st & S_CGROUP) s.cgroup = c.u64('cgroup');
  if (st & S_DATA_PAGE_SIZE) s.dataPageSize = c.u64('data_page_size');
  if (st & S_CODE_PAGE_SIZE) s.codePageSize = c.u64('code_page_size');
  if (st & S_AUX) {
    const size = c.u64('aux size');
    if (size > BigInt(c.end - c.off)) throw decodeError(`${c.what}: aux size ${size} exceeds the ${c.end - c.off} bytes left`);
    s.aux = c.bytesOf(Number(size), 'aux data');
  }
}

function decodeSample(c: Cursor, L: CompiledLayout, misc: number, size: number): SampleRecord {
  const st = L.sampleType;
  const s: SampleRecord = { kind: 'sample', type: 9, misc, size };
  if (st & S_IDENTIFIER) s.identifier = c.u64('identifier');
  if (st & S_IP) s.ip = c.u64('ip');
  if (st & S_TID) { s.pid = c.u32('pid'); s.tid = c.u32('tid'); }
  if (st & S_TIME) s.time = c.u64('time');
  if (st & S_ADDR) s.addr = c.u64('addr');
  if (st & S_ID) s.id = c.u64('id');
  if (st & S_STREAM_ID) s.streamId = c.u64('stream_id');
  if (st & S_CPU) { s.cpu = c.u32('cpu'); c.u32('res'); }
  if (st & S_PERIOD) s.period = c.u64('period');
  if (st & S_READ) s.read = readValues(c, L);
  if (st & S_CALLCHAIN) s.callchain = c.u64Array(c.count('callchain nr', 8), 'callchain ips');
  if (st & S_RAW) {
    const n = c.u32('raw size');
    s.raw = c.bytesOf(n, 'raw data');
  }
  if (st & S_BRANCH_STACK) {
    const nr = c.count('branch_stack nr', 24);
    if (nr === 0 && L.hwIndex) {
      // The kernel writes hw_idx after nr only when the PMU saved a branch
      // stack; with none it writes nr = 0 alone. Both read as nr = 0: take
      // the reading that decodes the rest of the record exactly.
      const at = c.off;
      try {
        const hwIdx = c.u64('branch_stack hw_idx');
        sampleTail(c, L, s);
        if (c.off !== c.end) throw decodeError('trailing');
        s.branchStack = { hwIdx, entries: [] };
        if (L.branchCounters) s.branchStack.counters = [];
        return s;
      } catch {
        c.off = at;
        s.branchStack = { entries: [] };
      }
    } else {
      const bs: BranchStack = { entries: new Array<BranchEntry>(nr) };
      if (L.hwIndex) bs.hwIdx = c.u64('branch_stack hw_idx');
      c.need(24 * nr, 'branch_stack entries');
      for (let i = 0; i < nr; i++) {
        const o = c.off + 24 * i;
        bs.entries[i] = { from: c.dv.getBigUint64(o, true), to: c.dv.getBigUint64(o + 8, true), flags: c.dv.getBigUint64(o + 16, true) };
      }
      c.off += 24 * nr;
      if (L.branchCounters) bs.counters = c.u64s(nr, 'branch_stack counters');
      s.branchStack = bs;
    }
  }
  sampleTail(c, L, s);
  return s;
}

/* Walking a stream decodes many records of one buffer: keep its DataView. */
let lastBytes: Uint8Array | undefined;
let lastView: DataView | undefined;
function viewOf(bytes: Uint8Array): DataView {
  if (bytes !== lastBytes || lastView === undefined) {
    lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    lastBytes = bytes;
  }
  return lastView;
}

/**
 * Decode one record: `bytes` from `offset` hold the header and at least
 * header.size bytes. Unknown record types come back as { kind: 'unknown',
 * bytes }; a record that is truncated or whose fields overrun its size throws
 * PerfcompatError('ERR_DECODE').
 */
export function decodeRecord(bytes: Uint8Array, layout: RecordLayout | CompiledLayout, offset = 0): PerfRecord {
  const L = 'readGroup' in layout ? layout : compileLayout(layout);
  if (bytes.byteLength - offset < PERF_EVENT_HEADER_SIZE) {
    throw decodeError(`record at byte ${offset}: ${bytes.byteLength - offset} bytes cannot hold the 8-byte perf_event_header`);
  }
  const dv = viewOf(bytes);
  const type = dv.getUint32(offset, true);
  const misc = dv.getUint16(offset + 4, true);
  const size = dv.getUint16(offset + 6, true);
  if (size < PERF_EVENT_HEADER_SIZE) throw decodeError(`record at byte ${offset}: header.size ${size} is smaller than the header itself`);
  if (offset + size > bytes.byteLength) {
    throw decodeError(`record at byte ${offset}: header.size ${size} runs past the ${bytes.byteLength - offset} bytes available (type ${type})`);
  }
  const end = offset + size;
  const kind = KIND_BY_TYPE.get(type);
  if (kind === undefined) {
    return { kind: 'unknown', type, misc, size, bytes: bytes.subarray(offset, end) };
  }
  const what = (): string => `PERF_RECORD_${kind.toUpperCase()} at byte ${offset} (size ${size})`;
  if (type === PERF_RECORD.SAMPLE) {
    const c = new Cursor(dv, bytes, offset + 8, end, what);
    const s = decodeSample(c, L, misc, size);
    if (c.off !== end) throw decodeError(`${what()}: ${end - c.off} bytes left over after the sample fields of sample_type 0x${L.sampleType.toString(16)}`);
    return s;
  }
  const payloadEnd = end - L.sampleIdSize;
  if (payloadEnd < offset + 8) throw decodeError(`${what()}: too short for its ${L.sampleIdSize}-byte sample_id`);
  const c = new Cursor(dv, bytes, offset + 8, payloadEnd, what);
  const rec = decodeBody(c, type, misc, size, L);
  if (c.off !== payloadEnd) {
    throw decodeError(`${what()}: ${payloadEnd - c.off} bytes left over before the sample_id (is sample_id_all ${L.sampleIdAll ? 'really set' : 'perhaps set'}?)`);
  }
  if (L.sampleIdAll) {
    (rec as { sampleId?: SampleId }).sampleId = sampleIdAt(new Cursor(dv, bytes, payloadEnd, end, () => `${what()} sample_id`), L.sampleType);
  }
  return rec;
}

function decodeBody(c: Cursor, type: number, misc: number, size: number, L: CompiledLayout): PerfRecord {
  const h = { misc, size };
  switch (type) {
    case 1: {
      const pid = c.u32('pid'), tid = c.u32('tid'), addr = c.u64('addr'), len = c.u64('len'), pgoff = c.u64('pgoff');
      return { kind: 'mmap', type: 1, ...h, pid, tid, addr, len, pgoff, filename: c.cstringToEnd('filename') };
    }
    case 2: return { kind: 'lost', type: 2, ...h, id: c.u64('id'), lost: c.u64('lost') };
    case 3: {
      const pid = c.u32('pid'), tid = c.u32('tid');
      return { kind: 'comm', type: 3, ...h, pid, tid, comm: c.cstringToEnd('comm'), exec: (misc & PERF_RECORD_MISC.COMM_EXEC) !== 0 };
    }
    case 4:
    case 7: {
      const pid = c.u32('pid'), ppid = c.u32('ppid'), tid = c.u32('tid'), ptid = c.u32('ptid'), time = c.u64('time');
      return type === 4
        ? { kind: 'exit', type: 4, ...h, pid, ppid, tid, ptid, time }
        : { kind: 'fork', type: 7, ...h, pid, ppid, tid, ptid, time };
    }
    case 5:
    case 6: {
      const time = c.u64('time'), id = c.u64('id'), streamId = c.u64('stream_id');
      return type === 5
        ? { kind: 'throttle', type: 5, ...h, time, id, streamId }
        : { kind: 'unthrottle', type: 6, ...h, time, id, streamId };
    }
    case 8: {
      const pid = c.u32('pid'), tid = c.u32('tid');
      return { kind: 'read', type: 8, ...h, pid, tid, values: readValues(c, L) };
    }
    case 10: {
      const pid = c.u32('pid'), tid = c.u32('tid'), addr = c.u64('addr'), len = c.u64('len'), pgoff = c.u64('pgoff');
      const r: Mmap2Record = { kind: 'mmap2', type: 10, ...h, pid, tid, addr, len, pgoff, prot: 0, flags: 0, filename: '' };
      if (misc & PERF_RECORD_MISC.MMAP_BUILD_ID) {
        const n = c.u8('build_id_size');
        c.u8('__reserved_1');
        c.u16('__reserved_2');
        const id = c.bytesOf(20, 'build_id');
        if (n > 20) throw decodeError(`${c.what}: build_id_size ${n} exceeds the 20-byte build_id field`);
        r.buildId = id.subarray(0, n);
      } else {
        r.maj = c.u32('maj');
        r.min = c.u32('min');
        r.ino = c.u64('ino');
        r.inoGeneration = c.u64('ino_generation');
      }
      r.prot = c.u32('prot');
      r.flags = c.u32('flags');
      r.filename = c.cstringToEnd('filename');
      return r;
    }
    case 11: return { kind: 'aux', type: 11, ...h, auxOffset: c.u64('aux_offset'), auxSize: c.u64('aux_size'), flags: c.u64('flags') };
    case 12: return { kind: 'itrace_start', type: 12, ...h, pid: c.u32('pid'), tid: c.u32('tid') };
    case 13: return { kind: 'lost_samples', type: 13, ...h, lost: c.u64('lost') };
    case 14:
      return { kind: 'switch', type: 14, ...h, out: (misc & PERF_RECORD_MISC.SWITCH_OUT) !== 0, preempt: (misc & PERF_RECORD_MISC.SWITCH_OUT_PREEMPT) !== 0 };
    case 15:
      return {
        kind: 'switch_cpu_wide', type: 15, ...h,
        out: (misc & PERF_RECORD_MISC.SWITCH_OUT) !== 0, preempt: (misc & PERF_RECORD_MISC.SWITCH_OUT_PREEMPT) !== 0,
        nextPrevPid: c.u32('next_prev_pid'), nextPrevTid: c.u32('next_prev_tid'),
      };
    case 16: {
      const pid = c.u32('pid'), tid = c.u32('tid');
      const n = c.count('nr_namespaces', 16);
      const namespaces: { dev: bigint; inode: bigint }[] = [];
      for (let i = 0; i < n; i++) namespaces.push({ dev: c.u64(`namespace ${i} dev`), inode: c.u64(`namespace ${i} inode`) });
      return { kind: 'namespaces', type: 16, ...h, pid, tid, namespaces };
    }
    case 17: {
      const addr = c.u64('addr'), len = c.u32('len'), ksymType = c.u16('ksym_type'), flags = c.u16('flags');
      return { kind: 'ksymbol', type: 17, ...h, addr, len, ksymType, flags, name: c.cstringToEnd('name') };
    }
    case 18: {
      const bpfType = c.u16('type'), flags = c.u16('flags'), id = c.u32('id');
      return { kind: 'bpf_event', type: 18, ...h, bpfType, flags, id, tag: c.bytesOf(8, 'tag') };
    }
    case 19: {
      const id = c.u64('id');
      return { kind: 'cgroup', type: 19, ...h, id, path: c.cstringToEnd('path') };
    }
    case 20: {
      const addr = c.u64('addr'), oldLen = c.u16('old_len'), newLen = c.u16('new_len');
      const oldBytes = c.bytesOf(oldLen, 'old bytes');
      const newBytes = c.bytesOf(newLen, 'new bytes');
      // The bytes are padded to a multiple of 8 (the record size is u64-aligned).
      const pad = c.end - c.off;
      if (pad >= 8) throw decodeError(`${c.what}: ${pad} bytes after old_len ${oldLen} + new_len ${newLen} (padding is under 8)`);
      c.off = c.end;
      return { kind: 'text_poke', type: 20, ...h, addr, oldBytes, newBytes };
    }
    case 21: return { kind: 'aux_output_hw_id', type: 21, ...h, hwId: c.u64('hw_id') };
    case 22: {
      const cookie = c.u64('cookie');
      return { kind: 'callchain_deferred', type: 22, ...h, cookie, ips: c.u64Array(c.count('nr', 8), 'ips') };
    }
    default:
      // Unreachable for known types (KIND_BY_TYPE and this switch list the same ones).
      throw decodeError(`${c.what}: no decoder for record type ${type}`);
  }
}

/**
 * Decode a contiguous run of records (as a ring buffer or a file stores
 * them). Stops at the end of `bytes`; a partial record at the end throws.
 */
export function decodeRecords(bytes: Uint8Array, layout: RecordLayout | CompiledLayout): PerfRecord[] {
  const L = 'readGroup' in layout ? layout : compileLayout(layout);
  const out: PerfRecord[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off < bytes.byteLength) {
    if (bytes.byteLength - off < PERF_EVENT_HEADER_SIZE) throw decodeError(`record at byte ${off}: ${bytes.byteLength - off} trailing bytes cannot hold a header`);
    const size = dv.getUint16(off + 6, true);
    out.push(decodeRecord(bytes, L, off));
    off += size;
  }
  return out;
}

/** The bit fields of a branch entry's flags word (struct perf_branch_entry). */
export function decodeBranchFlags(flags: bigint): {
  mispred: boolean; predicted: boolean; inTx: boolean; abort: boolean; cycles: number; type: number; spec: number; newType: number; priv: number;
} {
  const f = (shift: number, width: number): number => Number((flags >> BigInt(shift)) & ((1n << BigInt(width)) - 1n));
  return {
    mispred: f(0, 1) === 1, predicted: f(1, 1) === 1, inTx: f(2, 1) === 1, abort: f(3, 1) === 1,
    cycles: f(4, 16), type: f(20, 4), spec: f(24, 2), newType: f(26, 4), priv: f(30, 3),
  };
}

/** True when a callchain entry is a PERF_CONTEXT_* marker rather than an address. */
export function isCallchainContext(ip: bigint): boolean {
  return ip >= PERF_CONTEXT.MAX;
}

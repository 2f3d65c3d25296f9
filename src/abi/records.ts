/**
 * Decoders for the records a perf ring buffer carries (enum perf_event_type):
 * the walker over a run of records, dispatching each to its family —
 * sample-record.ts (PERF_RECORD_SAMPLE and the sample_id trailer that
 * sample_id_all appends to non-sample records), task-records.ts,
 * stream-records.ts, kernel-records.ts. Pure: no I/O. Little-endian layouts.
 *
 * Byte-array fields (raw, stack data, aux data, build ids, text_poke bytes)
 * and callchains (BigUint64Array) are views into the input when it is 8-byte
 * aligned: callers that reuse the input copy what they keep (the ring buffer
 * hands the decoder a fresh copy per read, so its records are the caller's).
 */
import { bytesArg, intArg } from './args';
import { PERF_RECORD, RECORD_TYPES } from './constants';
import { Cursor, decodeError, viewOf } from './record-cursor';
import { CompiledLayout, layoutArg, RecordLayout } from './record-layout';
import type { BodyDecoder } from './record-body';
import type { PerfRecord, SampleId } from './record-types';
import { decodeSample, sampleIdAt } from './sample-record';
import { TASK_RECORDS } from './task-records';
import { STREAM_RECORDS } from './stream-records';
import { KERNEL_RECORDS } from './kernel-records';

export type {
  SampleId, BranchEntry, BranchStack, SampledRegs, SampleRecord, MmapRecord, LostRecord, CommRecord, ExitRecord,
  ThrottleRecord, UnthrottleRecord, ForkRecord, ReadRecord, Mmap2Record, AuxRecord, ItraceStartRecord, LostSamplesRecord,
  SwitchRecord, SwitchCpuWideRecord, NamespacesRecord, KsymbolRecord, BpfEventRecord, CgroupRecord, TextPokeRecord,
  AuxOutputHwIdRecord, CallchainDeferredRecord, UnknownRecord, PerfRecord, RecordKind,
} from './record-types';
export { compileLayout } from './record-layout';
export type { RecordLayout, CompiledLayout } from './record-layout';
export { decodeBranchFlags, isCallchainContext } from './sample-record';

export const PERF_EVENT_HEADER_SIZE = 8;

const KIND_BY_TYPE = new Map<number, string>(RECORD_TYPES.map((r) => [r.value, r.name]));

/** The body decoder of every known non-sample type, indexed by type. */
const BODY: (BodyDecoder | undefined)[] = [];
for (const family of [TASK_RECORDS, STREAM_RECORDS, KERNEL_RECORDS]) {
  for (const [type, fn] of Object.entries(family)) BODY[Number(type)] = fn;
}

/** Name of a record type ('sample', 'mmap2', …) or undefined for one this library does not know. */
export function recordKindName(type: number): string | undefined {
  return KIND_BY_TYPE.get(type);
}

/**
 * Decode one record: `bytes` from `offset` hold the header and at least
 * header.size bytes. Unknown record types come back as { kind: 'unknown',
 * bytes }; a record that is truncated or whose fields overrun its size throws
 * PerfcompatError('ERR_DECODE').
 */
export function decodeRecord(bytes: Uint8Array, layout: RecordLayout | CompiledLayout, offset = 0): PerfRecord {
  bytesArg('decodeRecord', 'bytes', bytes);
  const L = layoutArg(layout);
  intArg('decodeRecord', 'offset', offset, 0, bytes.byteLength);
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
  const body = BODY[type];
  // Unreachable for known types (KIND_BY_TYPE and the families list the same ones).
  if (body === undefined) throw decodeError(`${c.what}: no decoder for record type ${type}`);
  const rec = body(c, { misc, size }, L);
  if (c.off !== payloadEnd) {
    throw decodeError(`${what()}: ${payloadEnd - c.off} bytes left over before the sample_id (is sample_id_all ${L.sampleIdAll ? 'really set' : 'perhaps set'}?)`);
  }
  if (L.sampleIdAll) {
    (rec as { sampleId?: SampleId }).sampleId = sampleIdAt(new Cursor(dv, bytes, payloadEnd, end, () => `${what()} sample_id`), L.sampleType);
  }
  return rec;
}

/**
 * Decode a contiguous run of records (as a ring buffer or a file stores
 * them). Stops at the end of `bytes`; a partial record at the end throws.
 */
export function decodeRecords(bytes: Uint8Array, layout: RecordLayout | CompiledLayout): PerfRecord[] {
  bytesArg('decodeRecords', 'bytes', bytes);
  const L = layoutArg(layout);
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

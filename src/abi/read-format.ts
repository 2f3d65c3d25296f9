/**
 * Decode what read() returns on a perf event fd, for every read_format
 * combination (the offsets come from read-layout.ts). Pure: no I/O.
 *
 * Without PERF_FORMAT_GROUP:   value, [time_enabled], [time_running], [id], [lost]
 * With PERF_FORMAT_GROUP:      nr, [time_enabled], [time_running],
 *                              nr × { value, [id], [lost] }
 */
import { PERF_FORMAT, READ_FORMAT_MAX_BIT } from './constants';
import { PerfcompatError } from '../errors';
import { bytesArg, intArg, invalidArgument, objectArg, shownValue, u64Arg } from './args';
import { compileReadLayout, MAX_READ_MEMBERS, ReadLayout } from './read-layout';

export interface ReadValue {
  value: bigint;
  id?: bigint;
  lost?: bigint;
}

export interface ReadResult {
  timeEnabled?: bigint;
  timeRunning?: bigint;
  /** One entry without PERF_FORMAT_GROUP, one per member with it (leader first). */
  values: ReadValue[];
}

function has(fmt: bigint, bit: bigint): boolean {
  return (fmt & bit) !== 0n;
}

function checkFormat(readFormat: bigint | number, fn: string): bigint {
  const fmt = u64Arg(fn, 'readFormat', readFormat);
  if (fmt < 0n || fmt >> BigInt(READ_FORMAT_MAX_BIT) !== 0n) {
    throw new PerfcompatError('ERR_DECODE', `${fn}: readFormat 0x${fmt.toString(16)} has bits this library does not know (valid bits 0..${READ_FORMAT_MAX_BIT - 1})`);
  }
  return fmt;
}

/** Bytes read() returns for a read_format and a group of `members` events. */
export function readSize(readFormat: bigint | number, members = 1): number {
  const fmt = checkFormat(readFormat, 'readSize');
  intArg('readSize', 'members', members, 0, MAX_READ_MEMBERS);
  const times = (has(fmt, PERF_FORMAT.TOTAL_TIME_ENABLED) ? 1 : 0) + (has(fmt, PERF_FORMAT.TOTAL_TIME_RUNNING) ? 1 : 0);
  const perValue = 1 + (has(fmt, PERF_FORMAT.ID) ? 1 : 0) + (has(fmt, PERF_FORMAT.LOST) ? 1 : 0);
  if (has(fmt, PERF_FORMAT.GROUP)) return 8 * (1 + times + perValue * members);
  return 8 * (times + perValue);
}

/* decodeRead's layouts, per read_format, for the group sizes seen (small ones only). */
const CACHED_MEMBERS = 64;
const layoutCache = new Map<bigint, (ReadLayout | undefined)[]>();
function layoutFor(fmt: bigint, members: number): ReadLayout {
  if (members > CACHED_MEMBERS) return compileReadLayout(fmt, members);
  let row = layoutCache.get(fmt);
  if (row === undefined) layoutCache.set(fmt, (row = []));
  return (row[members] ??= compileReadLayout(fmt, members));
}

/** Decode `length` bytes of `buf` (default all) as a read() result, at the offsets of its compiled ReadLayout. */
export function decodeRead(buf: Uint8Array, readFormat: bigint | number, length?: number): ReadResult {
  bytesArg('decodeRead', 'buf', buf);
  const fmt = checkFormat(readFormat, 'decodeRead');
  if (length === undefined) length = buf.byteLength;
  if (!Number.isInteger(length) || length < 0 || length > buf.byteLength) {
    throw new PerfcompatError('ERR_DECODE', `decodeRead: length ${shownValue(length)} outside the buffer of ${buf.byteLength} bytes`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, length);
  const group = has(fmt, PERF_FORMAT.GROUP);
  let nr = 1;
  if (group) {
    if (length < 8) throw new PerfcompatError('ERR_DECODE', `decodeRead: read result: ${length} bytes end before nr (read_format 0x${fmt.toString(16)})`);
    const n = dv.getBigUint64(0, true);
    // Each member takes at least 8 bytes: a count the buffer cannot hold is corrupt.
    if (n > BigInt(Math.floor(length / 8)) || n > BigInt(MAX_READ_MEMBERS)) {
      throw new PerfcompatError('ERR_DECODE', `decodeRead: read result: group count ${n} cannot fit in ${length} bytes (at most ${MAX_READ_MEMBERS} members)`);
    }
    nr = Number(n);
  }
  // A group of 0 (never from the kernel, which counts the leader) has the times of any group layout and no values.
  const L = layoutFor(fmt, Math.max(nr, 1));
  const size = nr === 0 ? readSize(fmt, 0) : L.size;
  if (length !== size) {
    throw new PerfcompatError('ERR_DECODE', `decodeRead: read result: ${length} bytes, but read_format 0x${fmt.toString(16)}${group ? ` with nr ${nr}` : ''} is ${size} bytes`);
  }
  const out: ReadResult = { values: [] };
  if (L.timeEnabledOffset >= 0) out.timeEnabled = dv.getBigUint64(L.timeEnabledOffset, true);
  if (L.timeRunningOffset >= 0) out.timeRunning = dv.getBigUint64(L.timeRunningOffset, true);
  for (let i = 0; i < nr; i++) {
    const v: ReadValue = { value: dv.getBigUint64(L.valueOffsets[i]!, true) };
    if (L.idOffsets.length > 0) v.id = dv.getBigUint64(L.idOffsets[i]!, true);
    if (L.lostOffsets.length > 0) v.lost = dv.getBigUint64(L.lostOffsets[i]!, true);
    out.values.push(v);
  }
  return out;
}

/** Encode a read result (the inverse of decodeRead; used by stand-in kernels and tests). */
export function encodeRead(result: ReadResult, readFormat: bigint | number): Buffer {
  objectArg('encodeRead', 'result', result, 'a read result { values: [{ value, id?, lost? }], timeEnabled?, timeRunning? }');
  const fmt = checkFormat(readFormat, 'encodeRead');
  if (!Array.isArray(result.values) || result.values.length > MAX_READ_MEMBERS) {
    throw invalidArgument('encodeRead', 'result.values', result.values, `an array of at most ${MAX_READ_MEMBERS} { value, id?, lost? }`);
  }
  const word = (v: unknown, name: string): bigint => (v === undefined ? 0n : u64Arg('encodeRead', name, v));
  result.values.forEach((v, i) => {
    objectArg('encodeRead', `result.values[${i}]`, v, 'an object { value, id?, lost? }');
    word(v.value, `result.values[${i}].value`);
    word(v.id, `result.values[${i}].id`);
    word(v.lost, `result.values[${i}].lost`);
  });
  word(result.timeEnabled, 'result.timeEnabled');
  word(result.timeRunning, 'result.timeRunning');
  const group = has(fmt, PERF_FORMAT.GROUP);
  if (!group && result.values.length !== 1) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `read result: ${result.values.length} values without PERF_FORMAT_GROUP (exactly 1 expected)`);
  }
  const words: bigint[] = [];
  const times: bigint[] = [];
  if (has(fmt, PERF_FORMAT.TOTAL_TIME_ENABLED)) times.push(result.timeEnabled ?? 0n);
  if (has(fmt, PERF_FORMAT.TOTAL_TIME_RUNNING)) times.push(result.timeRunning ?? 0n);
  const member = (v: ReadValue): bigint[] => {
    const w = [v.value];
    if (has(fmt, PERF_FORMAT.ID)) w.push(v.id ?? 0n);
    if (has(fmt, PERF_FORMAT.LOST)) w.push(v.lost ?? 0n);
    return w;
  };
  if (group) {
    words.push(BigInt(result.values.length), ...times);
    for (const v of result.values) words.push(...member(v));
  } else {
    const [first, ...rest] = member(result.values[0]!);
    words.push(first!, ...times, ...rest);
  }
  const buf = Buffer.alloc(words.length * 8);
  words.forEach((w, i) => buf.writeBigUInt64LE(BigInt.asUintN(64, w), i * 8));
  return buf;
}

/**
 * Decode what read() returns on a perf event fd, for every read_format
 * combination. Pure: no I/O.
 *
 * Without PERF_FORMAT_GROUP:   value, [time_enabled], [time_running], [id], [lost]
 * With PERF_FORMAT_GROUP:      nr, [time_enabled], [time_running],
 *                              nr × { value, [id], [lost] }
 */
import { PERF_FORMAT, READ_FORMAT_MAX_BIT } from './constants';
import { PerfcompatError } from '../errors';

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

function checkFormat(readFormat: bigint | number): bigint {
  const fmt = BigInt(readFormat);
  if (fmt < 0n || fmt >> BigInt(READ_FORMAT_MAX_BIT) !== 0n) {
    throw new PerfcompatError('ERR_DECODE', `read_format 0x${fmt.toString(16)}: has bits this library does not know (valid bits 0..${READ_FORMAT_MAX_BIT - 1})`);
  }
  return fmt;
}

/** Bytes read() returns for a read_format and a group of `members` events. */
export function readSize(readFormat: bigint | number, members = 1): number {
  const fmt = checkFormat(readFormat);
  const times = (has(fmt, PERF_FORMAT.TOTAL_TIME_ENABLED) ? 1 : 0) + (has(fmt, PERF_FORMAT.TOTAL_TIME_RUNNING) ? 1 : 0);
  const perValue = 1 + (has(fmt, PERF_FORMAT.ID) ? 1 : 0) + (has(fmt, PERF_FORMAT.LOST) ? 1 : 0);
  if (has(fmt, PERF_FORMAT.GROUP)) return 8 * (1 + times + perValue * members);
  return 8 * (times + perValue);
}

/** Decode `length` bytes of `buf` (default all) as a read() result. */
export function decodeRead(buf: Uint8Array, readFormat: bigint | number, length = buf.byteLength): ReadResult {
  const fmt = checkFormat(readFormat);
  if (!Number.isInteger(length) || length < 0 || length > buf.byteLength) {
    throw new PerfcompatError('ERR_DECODE', `read result: length ${length} outside the buffer of ${buf.byteLength} bytes`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, length);
  let off = 0;
  const next = (what: string): bigint => {
    if (off + 8 > length) {
      throw new PerfcompatError('ERR_DECODE', `read result: ${length} bytes end before ${what} at byte ${off} (read_format 0x${fmt.toString(16)})`);
    }
    const v = dv.getBigUint64(off, true);
    off += 8;
    return v;
  };
  const out: ReadResult = { values: [] };
  const group = has(fmt, PERF_FORMAT.GROUP);
  let nr = 1;
  if (group) {
    const n = next('nr');
    // Each member takes at least 8 bytes: a count the buffer cannot hold is corrupt.
    if (n > BigInt(Math.floor(length / 8))) {
      throw new PerfcompatError('ERR_DECODE', `read result: group count ${n} cannot fit in ${length} bytes`);
    }
    nr = Number(n);
  }
  let firstValue: bigint | undefined;
  if (!group) firstValue = next('value');
  if (has(fmt, PERF_FORMAT.TOTAL_TIME_ENABLED)) out.timeEnabled = next('time_enabled');
  if (has(fmt, PERF_FORMAT.TOTAL_TIME_RUNNING)) out.timeRunning = next('time_running');
  for (let i = 0; i < nr; i++) {
    const v: ReadValue = { value: firstValue !== undefined ? firstValue : next(`value[${i}]`) };
    firstValue = undefined;
    if (has(fmt, PERF_FORMAT.ID)) v.id = next(`id[${i}]`);
    if (has(fmt, PERF_FORMAT.LOST)) v.lost = next(`lost[${i}]`);
    out.values.push(v);
  }
  if (off !== length) {
    throw new PerfcompatError('ERR_DECODE', `read result: ${length - off} trailing bytes after ${off} decoded (read_format 0x${fmt.toString(16)})`);
  }
  return out;
}

/** Encode a read result (the inverse of decodeRead; used by simulated kernels and tests). */
export function encodeRead(result: ReadResult, readFormat: bigint | number): Buffer {
  const fmt = checkFormat(readFormat);
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

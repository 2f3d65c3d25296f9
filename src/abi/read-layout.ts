/**
 * A compiled read layout: where each quantity of a read() on a perf event fd
 * (or of a PERF_SAMPLE_READ / PERF_RECORD_READ block) sits, computed once per
 * read_format and member count, and decoders that fill caller-owned storage
 * without allocating per read. decodeRead (read-format.ts) reads at the same
 * offsets. Pure: no I/O.
 *
 * Field order, from the `struct read_format` comment of
 * include/uapi/linux/perf_event.h (every field a u64):
 *   without PERF_FORMAT_GROUP: value, time_enabled (TOTAL_TIME_ENABLED),
 *     time_running (TOTAL_TIME_RUNNING), id (ID), lost (LOST);
 *   with PERF_FORMAT_GROUP: nr, time_enabled, time_running, then nr times
 *     { value, id, lost } — each optional word present only with its bit.
 */
import { PERF_FORMAT, READ_FORMAT_MAX_BIT } from './constants';
import { LITTLE_ENDIAN_HOST, viewOf } from './byte-view';
import { shownValue } from './args';

/**
 * The most members a layout takes. The kernel refuses a group whose read()
 * would reach 16 KiB (perf_event_validate_size in kernel/events/core.c), so
 * no group read it returns has this many members: at least nr + 2048 words.
 */
export const MAX_READ_MEMBERS = 2048;

export interface ReadLayout {
  /** attr.read_format the layout was compiled for. */
  readonly readFormat: bigint;
  /** PERF_FORMAT_GROUP: one read returns every member of the group. */
  readonly group: boolean;
  /** Values in one read: the group's members (leader first), or 1. */
  readonly members: number;
  /** Bytes of one read (what read() returns and needs). */
  readonly size: number;
  /** Byte offset of nr (group reads), else -1. */
  readonly nrOffset: number;
  /** Byte offset of time_enabled, or -1 without PERF_FORMAT_TOTAL_TIME_ENABLED. */
  readonly timeEnabledOffset: number;
  /** Byte offset of time_running, or -1 without PERF_FORMAT_TOTAL_TIME_RUNNING. */
  readonly timeRunningOffset: number;
  /** Byte offset of each member's value. */
  readonly valueOffsets: readonly number[];
  /** Byte offset of each member's id; empty without PERF_FORMAT_ID. */
  readonly idOffsets: readonly number[];
  /** Byte offset of each member's lost count; empty without PERF_FORMAT_LOST. */
  readonly lostOffsets: readonly number[];
}

/** Caller-owned storage for exact (u64) values; absent quantities stay 0. */
export interface ReadWords {
  timeEnabled: bigint;
  timeRunning: bigint;
  readonly values: BigUint64Array;
  readonly ids: BigUint64Array;
  readonly lost: BigUint64Array;
}

/** Caller-owned storage for values as numbers (exact below 2^53); absent quantities stay 0. */
export interface ReadNumbers {
  timeEnabled: number;
  timeRunning: number;
  readonly values: Float64Array;
  readonly ids: Float64Array;
  readonly lost: Float64Array;
}

const has = (fmt: bigint, bit: bigint): boolean => (fmt & bit) !== 0n;

function checkedFormat(readFormat: bigint | number): bigint {
  if (typeof readFormat === 'number' && !Number.isSafeInteger(readFormat)) {
    throw new RangeError(`compileReadLayout: readFormat ${shownValue(readFormat)} is not an integer (valid: read_format bits 0..${READ_FORMAT_MAX_BIT - 1})`);
  }
  if (typeof readFormat !== 'bigint' && typeof readFormat !== 'number') {
    throw new RangeError(`compileReadLayout: readFormat must be a bigint or a number, not ${typeof readFormat}`);
  }
  const fmt = BigInt(readFormat);
  if (fmt < 0n || fmt >> BigInt(READ_FORMAT_MAX_BIT) !== 0n) {
    throw new RangeError(`compileReadLayout: readFormat 0x${fmt.toString(16)} has bits this library does not know (valid: bits 0..${READ_FORMAT_MAX_BIT - 1}, TOTAL_TIME_ENABLED TOTAL_TIME_RUNNING ID GROUP LOST)`);
  }
  return fmt;
}

/** Compile the layout of a read for `readFormat` and `members` values (more than 1 only with PERF_FORMAT_GROUP). */
export function compileReadLayout(readFormat: bigint | number, members = 1): ReadLayout {
  const fmt = checkedFormat(readFormat);
  const group = has(fmt, PERF_FORMAT.GROUP);
  if (!Number.isInteger(members) || members < 1 || members > MAX_READ_MEMBERS) {
    throw new RangeError(`compileReadLayout: members ${shownValue(members)} is not an integer from 1 to ${MAX_READ_MEMBERS}`);
  }
  if (!group && members !== 1) {
    throw new RangeError(`compileReadLayout: members ${members} without PERF_FORMAT_GROUP (a read returns exactly 1 value)`);
  }
  let off = 0;
  const word = (): number => { const o = off; off += 8; return o; };
  const valueOffsets: number[] = [];
  const idOffsets: number[] = [];
  const lostOffsets: number[] = [];
  const nrOffset = group ? word() : -1;
  if (!group) valueOffsets.push(word());
  const timeEnabledOffset = has(fmt, PERF_FORMAT.TOTAL_TIME_ENABLED) ? word() : -1;
  const timeRunningOffset = has(fmt, PERF_FORMAT.TOTAL_TIME_RUNNING) ? word() : -1;
  for (let i = 0; i < members; i++) {
    if (group) valueOffsets.push(word());
    if (has(fmt, PERF_FORMAT.ID)) idOffsets.push(word());
    if (has(fmt, PERF_FORMAT.LOST)) lostOffsets.push(word());
  }
  return Object.freeze({
    readFormat: fmt, group, members, size: off, nrOffset, timeEnabledOffset, timeRunningOffset,
    valueOffsets: Object.freeze(valueOffsets), idOffsets: Object.freeze(idOffsets), lostOffsets: Object.freeze(lostOffsets),
  });
}

/** Storage for decodeReadWords, sized for the layout; reuse it for every read. */
export function createReadWords(layout: ReadLayout): ReadWords {
  const n = checkedLayout('createReadWords', layout).members;
  return { timeEnabled: 0n, timeRunning: 0n, values: new BigUint64Array(n), ids: new BigUint64Array(n), lost: new BigUint64Array(n) };
}

/** Storage for decodeReadNumbers, sized for the layout; reuse it for every read. */
export function createReadNumbers(layout: ReadLayout): ReadNumbers {
  const n = checkedLayout('createReadNumbers', layout).members;
  return { timeEnabled: 0, timeRunning: 0, values: new Float64Array(n), ids: new Float64Array(n), lost: new Float64Array(n) };
}

const TWO32 = 2 ** 32;
function num(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * TWO32 + dv.getUint32(off, true);
}

/** The view to decode, after checking `buf`, `length` and (group reads) nr against the layout. */
/** A layout made by compileReadLayout (frozen, with its offsets), or a RangeError naming `layout`. */
function checkedLayout(fn: string, layout: ReadLayout): ReadLayout {
  if (layout === null || typeof layout !== 'object' || !Number.isInteger(layout.members) || !Number.isInteger(layout.size)
    || !Array.isArray(layout.valueOffsets) || layout.valueOffsets.length !== layout.members || typeof layout.readFormat !== 'bigint') {
    throw new RangeError(`${fn}: layout is ${shownValue(layout)}; expected a ReadLayout from compileReadLayout()`);
  }
  return layout;
}

function checkedView(fn: string, layout: ReadLayout, buf: Uint8Array | DataView, length: number, out: ReadWords | ReadNumbers, words: boolean, nrNow = true): DataView {
  checkedLayout(fn, layout);
  const Store = words ? BigUint64Array : Float64Array;
  if (out === null || typeof out !== 'object' || !(out.values instanceof Store) || !(out.ids instanceof Store) || !(out.lost instanceof Store)) {
    throw new RangeError(`${fn}: out is ${shownValue(out)}; expected storage from ${words ? 'createReadWords' : 'createReadNumbers'}(layout)`);
  }
  if (!(buf instanceof Uint8Array) && !(buf instanceof DataView)) throw new RangeError(`${fn}: buf must be a Uint8Array or a DataView`);
  if (length !== layout.size) {
    throw new RangeError(`${fn}: length ${shownValue(length)} is not the ${layout.size} bytes of read_format 0x${layout.readFormat.toString(16)} with ${layout.members} member(s)`);
  }
  if (buf.byteLength < length) throw new RangeError(`${fn}: buf holds ${buf.byteLength} bytes, the layout needs ${length}`);
  if (out.values.length < layout.members) throw new RangeError(`${fn}: out holds ${out.values.length} values, the layout has ${layout.members} members (create it with the layout)`);
  const dv = buf instanceof DataView ? buf : viewOf(buf);
  if (layout.group && nrNow) checkNr(fn, layout, num(dv, layout.nrOffset));
  return dv;
}

function checkNr(fn: string, layout: ReadLayout, nr: number): void {
  if (nr !== layout.members) throw new RangeError(`${fn}: buf says nr ${nr}, the layout has ${layout.members} member(s)`);
}

/** Decode one read into `out` (exact u64 values). Allocates nothing beyond the BigInts themselves. */
export function decodeReadWords(layout: ReadLayout, buf: Uint8Array | DataView, out: ReadWords, length?: number): ReadWords {
  const dv = checkedView('decodeReadWords', layout, buf, length ?? checkedLayout('decodeReadWords', layout).size, out, true);
  if (layout.timeEnabledOffset >= 0) out.timeEnabled = dv.getBigUint64(layout.timeEnabledOffset, true);
  if (layout.timeRunningOffset >= 0) out.timeRunning = dv.getBigUint64(layout.timeRunningOffset, true);
  const { valueOffsets: v, idOffsets: id, lostOffsets: lost } = layout;
  for (let i = 0; i < v.length; i++) out.values[i] = dv.getBigUint64(v[i]!, true);
  for (let i = 0; i < id.length; i++) out.ids[i] = dv.getBigUint64(id[i]!, true);
  for (let i = 0; i < lost.length; i++) out.lost[i] = dv.getBigUint64(lost[i]!, true);
  return out;
}

/** Decode one read into `out` as numbers (exact below 2^53). Allocates nothing. */
export function decodeReadNumbers(layout: ReadLayout, buf: Uint8Array | DataView, out: ReadNumbers, length?: number): ReadNumbers {
  const dv = checkedView('decodeReadNumbers', layout, buf, length ?? checkedLayout('decodeReadNumbers', layout).size, out, false);
  if (layout.timeEnabledOffset >= 0) out.timeEnabled = num(dv, layout.timeEnabledOffset);
  if (layout.timeRunningOffset >= 0) out.timeRunning = num(dv, layout.timeRunningOffset);
  const { valueOffsets: v, idOffsets: id, lostOffsets: lost } = layout;
  for (let i = 0; i < v.length; i++) out.values[i] = num(dv, v[i]!);
  for (let i = 0; i < id.length; i++) out.ids[i] = num(dv, id[i]!);
  for (let i = 0; i < lost.length; i++) out.lost[i] = num(dv, lost[i]!);
  return out;
}

/**
 * decodeReadNumbers bound once to `buf` and `out`, for a read loop that
 * reads into the same buffer every time: everything is checked now but nr
 * (group reads), which each call checks in the bytes the read left; each call
 * decodes the whole read (layout.size bytes) into `out` and returns it, with
 * the numbers decodeReadNumbers gives, allocating nothing. Where `buf` is
 * 4-byte aligned on a little-endian host it reads 32-bit words through a
 * Uint32Array over the same memory (cheaper than DataView's bounds and
 * endianness work), else it is decodeReadNumbers itself.
 */
export function bindReadNumbers(layout: ReadLayout, buf: Uint8Array, out: ReadNumbers): () => ReadNumbers {
  if (!(buf instanceof Uint8Array)) throw new RangeError('bindReadNumbers: buf must be a Uint8Array');
  const dv = checkedView('bindReadNumbers', layout, buf, layout.size, out, false, false);
  if (!LITTLE_ENDIAN_HOST || (buf.byteOffset & 3) !== 0) return () => decodeReadNumbers(layout, dv, out, layout.size);
  const w = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength >>> 2);
  const at = (o: number): number => o >>> 2; // low word; the high word follows it
  const nr = layout.group ? at(layout.nrOffset) : -1;
  const te = layout.timeEnabledOffset >= 0 ? at(layout.timeEnabledOffset) : -1;
  const tr = layout.timeRunningOffset >= 0 ? at(layout.timeRunningOffset) : -1;
  const v = Int32Array.from(layout.valueOffsets, at);
  const id = Int32Array.from(layout.idOffsets, at);
  const lost = Int32Array.from(layout.lostOffsets, at);
  const members = layout.members;
  const { values, ids, lost: lostOut } = out;
  return () => {
    if (nr >= 0 && (w[nr] !== members || w[nr + 1] !== 0)) checkNr('decodeReadNumbers', layout, w[nr + 1]! * TWO32 + w[nr]!);
    if (te >= 0) out.timeEnabled = w[te + 1]! * TWO32 + w[te]!;
    if (tr >= 0) out.timeRunning = w[tr + 1]! * TWO32 + w[tr]!;
    for (let i = 0; i < v.length; i++) values[i] = w[v[i]! + 1]! * TWO32 + w[v[i]!]!;
    for (let i = 0; i < id.length; i++) ids[i] = w[id[i]! + 1]! * TWO32 + w[id[i]!]!;
    for (let i = 0; i < lost.length; i++) lostOut[i] = w[lost[i]! + 1]! * TWO32 + w[lost[i]!]!;
    return out;
  };
}

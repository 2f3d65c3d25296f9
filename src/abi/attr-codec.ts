/**
 * Encode a typed perf_event_attr to bytes at a chosen attr size, and decode
 * bytes back. Pure: no I/O. Little-endian hosts only (the bit-field layout of
 * the flags word is the little-endian one; big-endian callers get an error).
 */
import { bytesArg, clipText, objectArg, shownValue } from './args';
import {
  ATTR_FIELDS, ATTR_FIELD_BY_NAME, ATTR_FLAGS, AUX_ACTION_FLAGS, ATTR_SIZE_LATEST, ATTR_SIZE_VER0,
  AttrField, fieldWidth, minSizeFor, ATTR_FLAGS_RESERVED_FIRST_BIT, AUX_ACTION_RESERVED_FIRST_BIT,
} from './attr-layout';
import { PerfcompatError } from '../errors';

/** A value given for a field: numbers and bigints are both accepted. */
export type AttrValue = number | bigint;

/**
 * The typed attr. Fields by uapi name (union aliases accepted on input), flag
 * bits by uapi name (0/1, precise_ip 0..3), aux_action bits likewise.
 * Decoded attrs have u64 fields as bigint and every other field as number.
 */
export type AttrInput = { readonly [name: string]: AttrValue | boolean | undefined };

export interface DecodedAttr {
  [name: string]: number | bigint;
}

const MAX_ATTR_BYTES = 4096; // the kernel refuses sizes above a page


function toBigInt(name: string, v: AttrValue | boolean): bigint {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)}: expected an integer (number or bigint), got ${shownValue(v)}`);
  }
  return BigInt(v);
}

function checkRange(name: string, v: bigint, kind: AttrField['kind']): bigint {
  const bitsOf = fieldWidth(kind) * 8;
  if (kind === 's32') {
    if (v < -(1n << 31n) || v >= (1n << 31n)) {
      throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)}: ${v} does not fit a signed 32-bit field`);
    }
    return BigInt.asUintN(32, v);
  }
  if (v < 0n || v >= (1n << BigInt(bitsOf))) {
    throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)}: ${v} does not fit an unsigned ${bitsOf}-bit field (0..${(1n << BigInt(bitsOf)) - 1n})`);
  }
  return v;
}

export interface EncodeOptions {
  /** Attr size to encode at (bytes); default the newest size version. */
  size?: number;
  /** Value written into the size field; default `size` (tests use a lie). */
  sizeField?: number;
}

/** What a name of the typed attr stands for, looked up once per name. */
type NameOp =
  | { readonly op: 'flag' | 'aux'; readonly def: { readonly bit: number; readonly width: number }; readonly max: number }
  | { readonly op: 'field'; readonly field: AttrField; readonly index: number; readonly max: number }
  | { readonly op: 'reserved_1' | 'reserved_3' };

const FIELD_INDEX = new Map<AttrField, number>(ATTR_FIELDS.map((f, i) => [f, i]));
const FIELD_END = ATTR_FIELDS.map((f) => minSizeFor(f));
/** Largest value a field takes as a plain number (u64: the largest safe integer; bigger ones go through BigInt). */
const NUMBER_MAX: Readonly<Record<AttrField['kind'], number>> = { u16: 0xffff, u32: 0xffffffff, s32: 0x7fffffff, u64: Number.MAX_SAFE_INTEGER };
const NAME_OPS = new Map<string, NameOp>();
NAME_OPS.set('__reserved_1', { op: 'reserved_1' });
NAME_OPS.set('__reserved_3', { op: 'reserved_3' });
for (const f of ATTR_FLAGS) if (!NAME_OPS.has(f.name)) NAME_OPS.set(f.name, { op: 'flag', def: f, max: 2 ** f.width - 1 });
for (const f of AUX_ACTION_FLAGS) if (!NAME_OPS.has(f.name)) NAME_OPS.set(f.name, { op: 'aux', def: f, max: 2 ** f.width - 1 });
for (const [name, field] of ATTR_FIELD_BY_NAME) if (!NAME_OPS.has(name)) NAME_OPS.set(name, { op: 'field', field, index: FIELD_INDEX.get(field)!, max: NUMBER_MAX[field.kind] });
const FLAGS_INDEX = FIELD_INDEX.get(ATTR_FIELD_BY_NAME.get('flags')!)!;
const AUX_INDEX = FIELD_INDEX.get(ATTR_FIELD_BY_NAME.get('aux_action')!)!;
const SIZE_INDEX = FIELD_INDEX.get(ATTR_FIELD_BY_NAME.get('size')!)!;
const TWO_32 = 0x1_0000_0000;

function sameValue(a: number | bigint, b: number | bigint): boolean {
  return typeof a === typeof b ? a === b : BigInt(a) === BigInt(b);
}

/**
 * Encode an attr. Every field must lie within `size`; a non-zero field past
 * it is an error naming the field and the size it needs.
 *
 * Integers that fit a field as a plain number take a number-only path (the
 * probe engine encodes a few hundred attrs per probe); anything else (a
 * bigint, a value out of range, a reserved bit) goes through BigInt and the
 * same checks and messages.
 */
export function encodeAttr(attr: AttrInput, options: EncodeOptions = {}): Buffer {
  if (attr === null || typeof attr !== 'object') {
    throw new PerfcompatError('ERR_INVALID_ATTR', `attr: expected an object of perf_event_attr fields, got ${attr === null ? 'null' : typeof attr}`);
  }
  objectArg('encodeAttr', 'options', options, 'an object { size?, sizeField? }');
  const size = options.size ?? ATTR_SIZE_LATEST;
  if (!Number.isInteger(size) || size < ATTR_SIZE_VER0 || size > MAX_ATTR_BYTES) {
    throw new PerfcompatError('ERR_INVALID_ATTR', `attr size ${shownValue(size)}: expected an integer from ${ATTR_SIZE_VER0} to ${MAX_ATTR_BYTES}`);
  }
  const buf = Buffer.alloc(size);
  // Per field (by index in ATTR_FIELDS): its value, the name it was given by, and the order fields were first given in.
  const values: Array<number | bigint | undefined> = [];
  const names: Array<string | undefined> = [];
  const order: number[] = [];
  let flagsLo = 0;
  let flagsHi = 0;
  let flagsBig = 0n;
  let aux = 0;
  let auxBig = 0n;

  for (const name in attr) {
    if (!Object.prototype.hasOwnProperty.call(attr, name)) continue;
    const raw = attr[name];
    if (raw === undefined) continue;
    const op = NAME_OPS.get(name);
    if (op === undefined) {
      throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)}: unknown field; valid are the perf_event_attr members and flags by uapi name (ATTR_FIELDS, ATTR_FLAGS, AUX_ACTION_FLAGS), e.g. type, config, sample_period, disabled, exclude_kernel`);
    }
    if (op.op === 'reserved_1' || op.op === 'reserved_3') {
      // Reserved bits as decodeAttr reports them, so that a round trip is exact.
      const v = toBigInt(name, raw);
      if (v < 0n) throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)}: must not be negative`);
      if (op.op === 'reserved_1') flagsBig |= BigInt.asUintN(64, v << BigInt(ATTR_FLAGS_RESERVED_FIRST_BIT));
      else auxBig |= BigInt.asUintN(32, v << BigInt(AUX_ACTION_RESERVED_FIRST_BIT));
      continue;
    }
    const n = typeof raw === 'number' ? raw : typeof raw === 'boolean' ? (raw ? 1 : 0) : undefined;
    if (op.op === 'flag' || op.op === 'aux') {
      let v: number;
      if (n !== undefined && Number.isInteger(n) && n >= 0 && n <= op.max) v = n;
      else {
        const b = toBigInt(name, raw);
        const max = (1n << BigInt(op.def.width)) - 1n;
        if (b < 0n || b > max) throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)}: ${b} out of range 0..${max}`);
        v = Number(b);
      }
      // Every flag lies within one 32-bit half of the word (precise_ip, the only 2-bit one, at bits 15-16).
      if (op.op === 'aux') aux |= v << op.def.bit;
      else if (op.def.bit < 32) flagsLo |= v << op.def.bit;
      else flagsHi |= v << (op.def.bit - 32);
      continue;
    }
    const fieldOp = op as Extract<NameOp, { op: 'field' }>;
    const kind = fieldOp.field.kind;
    let v: number | bigint;
    if (n !== undefined && Number.isInteger(n) && n >= (kind === 's32' ? -0x80000000 : 0) && n <= fieldOp.max) v = kind === 's32' ? n >>> 0 : n;
    else v = checkRange(name, toBigInt(name, raw), kind);
    const i = fieldOp.index;
    const prev = values[i];
    if (prev === undefined) order.push(i);
    else if (names[i] !== undefined && !sameValue(prev, v)) {
      throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)} and attr.${clipText(names[i]!)} share storage and were given different values`);
    }
    names[i] = name;
    values[i] = v;
  }

  if (flagsLo !== 0 || flagsHi !== 0 || flagsBig !== 0n) {
    const bits = flagsHi * TWO_32 + (flagsLo >>> 0);
    const had = values[FLAGS_INDEX];
    if (had === undefined) order.push(FLAGS_INDEX);
    values[FLAGS_INDEX] = flagsBig === 0n && (had === undefined || had === 0) ? bits : BigInt(had ?? 0) | BigInt(bits) | flagsBig;
  }
  if (aux !== 0 || auxBig !== 0n) {
    const had = values[AUX_INDEX];
    if (had === undefined) order.push(AUX_INDEX);
    values[AUX_INDEX] = auxBig === 0n && (had === undefined || had === 0) ? aux >>> 0 : BigInt(had ?? 0) | BigInt(aux >>> 0) | auxBig;
  }
  if (names[SIZE_INDEX] === undefined || options.sizeField !== undefined) {
    // An explicit attr.size is honoured as the value written (e.g. a test of E2BIG).
    if (values[SIZE_INDEX] === undefined) order.push(SIZE_INDEX);
    values[SIZE_INDEX] = options.sizeField !== undefined ? BigInt(options.sizeField) : size;
  }

  for (const i of order) {
    const v = values[i]!;
    if (v === 0 || v === 0n) continue;
    const field = ATTR_FIELDS[i]!;
    const end = FIELD_END[i]!;
    if (end > size) {
      throw new PerfcompatError('ERR_ATTR_BEYOND_SIZE',
        `attr.${names[i] ?? field.name} lies at bytes ${field.offset}..${end - 1}, beyond the attr size ${size}; it needs a size of at least ${end}`);
    }
    writeField(buf, field, v);
  }
  return buf;
}

function writeField(buf: Buffer, f: AttrField, v: number | bigint): void {
  if (typeof v === 'number') {
    switch (f.kind) {
      case 'u16': buf.writeUInt16LE(v, f.offset); break;
      case 'u32': case 's32': buf.writeUInt32LE(v, f.offset); break;
      case 'u64':
        buf.writeUInt32LE(v % TWO_32, f.offset);
        buf.writeUInt32LE(Math.floor(v / TWO_32), f.offset + 4);
        break;
    }
    return;
  }
  switch (f.kind) {
    case 'u16': buf.writeUInt16LE(Number(v), f.offset); break;
    case 'u32': buf.writeUInt32LE(Number(v), f.offset); break;
    case 's32': buf.writeUInt32LE(Number(v), f.offset); break;
    case 'u64': buf.writeBigUInt64LE(v, f.offset); break;
  }
}

function readField(buf: Uint8Array, f: AttrField): number | bigint {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  switch (f.kind) {
    case 'u16': return dv.getUint16(f.offset, true);
    case 'u32': return dv.getUint32(f.offset, true);
    case 's32': return dv.getInt32(f.offset, true);
    case 'u64': return dv.getBigUint64(f.offset, true);
  }
}

/**
 * Decode attr bytes. Fields past the end of the buffer are absent. The flags
 * and aux_action words are split into their named bits; reserved bits that are
 * set are kept in `__reserved_1` / `__reserved_3` so nothing is lost.
 * Union members are decoded under the canonical name, except sample_freq
 * (when freq is set) and wakeup_watermark (when watermark is set).
 */
export function decodeAttr(bytes: Uint8Array): DecodedAttr {
  if (!(bytes instanceof Uint8Array)) {
    throw new PerfcompatError('ERR_DECODE', `attr bytes: expected a Uint8Array or Buffer, got ${typeof bytes}`);
  }
  if (bytes.byteLength < ATTR_SIZE_VER0) {
    throw new PerfcompatError('ERR_DECODE', `attr bytes: ${bytes.byteLength} bytes is shorter than PERF_ATTR_SIZE_VER0 (64)`);
  }
  const out: DecodedAttr = {};
  for (const f of ATTR_FIELDS) {
    if (minSizeFor(f) > bytes.byteLength) continue;
    const v = readField(bytes, f);
    if (f.name === 'flags') {
      const w = v as bigint;
      for (const flag of ATTR_FLAGS) {
        out[flag.name] = Number((w >> BigInt(flag.bit)) & ((1n << BigInt(flag.width)) - 1n));
      }
      const reserved = w >> BigInt(ATTR_FLAGS_RESERVED_FIRST_BIT);
      if (reserved !== 0n) out.__reserved_1 = reserved;
      continue;
    }
    if (f.name === 'aux_action') {
      const w = v as number;
      for (const flag of AUX_ACTION_FLAGS) out[flag.name] = (w >>> flag.bit) & 1;
      const reserved = w >>> AUX_ACTION_RESERVED_FIRST_BIT;
      if (reserved !== 0) out.__reserved_3 = reserved;
      continue;
    }
    out[f.name] = v;
  }
  if (out.freq === 1 && 'sample_period' in out) {
    out.sample_freq = out.sample_period;
    delete out.sample_period;
  }
  if (out.watermark === 1 && 'wakeup_events' in out) {
    out.wakeup_watermark = out.wakeup_events;
    delete out.wakeup_events;
  }
  return out;
}

/** Read the size field of attr bytes (what the kernel writes back on E2BIG). */
export function attrSizeField(bytes: Uint8Array): number {
  bytesArg('attrSizeField', 'bytes', bytes);
  if (bytes.byteLength < 8) throw new PerfcompatError('ERR_DECODE', 'attr bytes: too short to hold the size field');
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
}

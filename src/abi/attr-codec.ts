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

const FLAG_BY_NAME = new Map(ATTR_FLAGS.map((f) => [f.name, f]));
const AUX_BY_NAME = new Map(AUX_ACTION_FLAGS.map((f) => [f.name, f]));

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

/**
 * Encode an attr. Every field must lie within `size`; a non-zero field past
 * it is an error naming the field and the size it needs.
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
  const words = new Map<AttrField, bigint>();
  let flags = 0n;
  let aux = 0n;
  const seen = new Map<AttrField, string>();

  for (const [name, raw] of Object.entries(attr)) {
    if (raw === undefined) continue;
    if (name === '__reserved_1' || name === '__reserved_3') {
      // Reserved bits as decodeAttr reports them, so that a round trip is exact.
      const v = toBigInt(name, raw);
      if (v < 0n) throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)}: must not be negative`);
      if (name === '__reserved_1') flags |= BigInt.asUintN(64, v << BigInt(ATTR_FLAGS_RESERVED_FIRST_BIT));
      else aux |= BigInt.asUintN(32, v << BigInt(AUX_ACTION_RESERVED_FIRST_BIT));
      continue;
    }
    const flag = FLAG_BY_NAME.get(name);
    const auxFlag = AUX_BY_NAME.get(name);
    if (flag || auxFlag) {
      const def = (flag ?? auxFlag)!;
      const v = toBigInt(name, raw);
      const max = (1n << BigInt(def.width)) - 1n;
      if (v < 0n || v > max) {
        throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)}: ${v} out of range 0..${max}`);
      }
      if (flag) flags |= v << BigInt(def.bit);
      else aux |= v << BigInt(def.bit);
      continue;
    }
    const field = ATTR_FIELD_BY_NAME.get(name);
    if (!field) {
      throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)}: unknown field; valid are the perf_event_attr members and flags by uapi name (ATTR_FIELDS, ATTR_FLAGS, AUX_ACTION_FLAGS), e.g. type, config, sample_period, disabled, exclude_kernel`);
    }
    const v = checkRange(name, toBigInt(name, raw), field.kind);
    const prev = seen.get(field);
    if (prev !== undefined && words.get(field) !== v) {
      throw new PerfcompatError('ERR_INVALID_ATTR', `attr.${clipText(name)} and attr.${clipText(prev)} share storage and were given different values`);
    }
    seen.set(field, name);
    words.set(field, v);
  }

  const flagsField = ATTR_FIELD_BY_NAME.get('flags')!;
  const auxField = ATTR_FIELD_BY_NAME.get('aux_action')!;
  if (flags !== 0n) words.set(flagsField, (words.get(flagsField) ?? 0n) | flags);
  if (aux !== 0n) words.set(auxField, (words.get(auxField) ?? 0n) | aux);

  const sizeField = ATTR_FIELD_BY_NAME.get('size')!;
  if (seen.has(sizeField) && options.sizeField === undefined) {
    // An explicit attr.size is honoured as the value written (e.g. a test of E2BIG).
  } else {
    words.set(sizeField, BigInt(options.sizeField ?? size));
  }

  for (const [field, v] of words) {
    if (v === 0n) continue;
    if (minSizeFor(field) > size) {
      throw new PerfcompatError('ERR_ATTR_BEYOND_SIZE',
        `attr.${seen.get(field) ?? field.name} lies at bytes ${field.offset}..${minSizeFor(field) - 1}, beyond the attr size ${size}; it needs a size of at least ${minSizeFor(field)}`);
    }
    writeField(buf, field, v);
  }
  return buf;
}

function writeField(buf: Buffer, f: AttrField, v: bigint): void {
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

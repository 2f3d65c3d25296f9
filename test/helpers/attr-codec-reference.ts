/**
 * The straightforward attr encoder as it was before the fast one in
 * src/abi/attr-codec.ts (#18): every value through BigInt, every word in a
 * Map. Kept here only as the reference the fast encoder is checked against
 * (bytes and errors alike); not used by the library.
 */
import { clipText, objectArg, shownValue } from '../../src/abi/args';
import {
  ATTR_FLAGS, AUX_ACTION_FLAGS, ATTR_FIELD_BY_NAME, ATTR_SIZE_LATEST, ATTR_SIZE_VER0,
  AttrField, fieldWidth, minSizeFor, ATTR_FLAGS_RESERVED_FIRST_BIT, AUX_ACTION_RESERVED_FIRST_BIT,
} from '../../src/abi/attr-layout';
import { PerfcompatError } from '../../src/errors';
import type { AttrInput, AttrValue } from '../../src/abi/attr-codec';

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

interface EncodeOptions {
  /** Attr size to encode at (bytes); default the newest size version. */
  size?: number;
  /** Value written into the size field; default `size` (tests use a lie). */
  sizeField?: number;
}

/**
 * Encode an attr. Every field must lie within `size`; a non-zero field past
 * it is an error naming the field and the size it needs.
 */
export function referenceEncodeAttr(attr: AttrInput, options: EncodeOptions = {}): Buffer {
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

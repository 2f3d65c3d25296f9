/**
 * Tracepoint formats (tracefs events/<system>/<event>/format) and the RAW
 * bytes of a tracepoint sample decoded by them. The parser takes the file's
 * text; reading it is the caller's I/O. Pure: no I/O.
 *
 *   field:char prev_comm[16];	offset:8;	size:16;	signed:0;
 *   field:__data_loc char[] name;	offset:8;	size:4;	signed:0;
 */
import { bytesArg, invalidArgument, objectArg } from './args';
import { PerfcompatError } from '../errors';

export interface TracepointField {
  /** The C declaration as written, e.g. "char prev_comm[16]". */
  declaration: string;
  name: string;
  /** The C type without the name and array suffix, e.g. "char", "pid_t", "unsigned long". */
  ctype: string;
  offset: number;
  size: number;
  signed: boolean;
  /** Fixed array length ("[16]"), when the field is an array. */
  arrayLength?: number;
  /** __data_loc (offset and length of data elsewhere in the record) or __rel_loc (offset relative to the field's end). */
  dynamic?: 'data_loc' | 'rel_loc';
  /** One of the common_* fields every tracepoint of the kernel shares. */
  common: boolean;
}

export interface TracepointFormat {
  name: string;
  id: number;
  fields: TracepointField[];
}

export type TracepointValue = number | bigint | string | Uint8Array | Array<number | bigint>;

const FIELD_RE = /^\s*field:(.+?);\s*offset:(\d+);\s*size:(\d+);\s*(?:signed:(\d+);)?/;

/** Parse the text of a tracepoint `format` file. */
export function parseTracepointFormat(text: string): TracepointFormat {
  if (typeof text !== 'string') throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'tracepoint format: expected the text of a tracefs format file');
  const name = /^name:\s*(\S+)/m.exec(text)?.[1];
  const idText = /^ID:\s*(\d+)/m.exec(text)?.[1];
  if (name === undefined || idText === undefined) {
    throw new PerfcompatError('ERR_DECODE', 'tracepoint format: no "name:" and "ID:" lines; is this a tracefs events/<system>/<event>/format file?');
  }
  const fields: TracepointField[] = [];
  let inCommon = true;
  for (const line of text.split('\n')) {
    if (/^\s*$/.test(line) && fields.length > 0) inCommon = false;
    const m = FIELD_RE.exec(line);
    if (!m) continue;
    const declaration = m[1]!.trim();
    const f = parseDeclaration(declaration);
    fields.push({
      declaration, ...f, offset: Number(m[2]), size: Number(m[3]), signed: m[4] === '1',
      common: inCommon && f.name.startsWith('common_'),
    });
  }
  if (fields.length === 0) throw new PerfcompatError('ERR_DECODE', `tracepoint format ${name}: no "field:" lines`);
  return { name, id: Number(idText), fields };
}

function parseDeclaration(decl: string): { name: string; ctype: string; arrayLength?: number; dynamic?: 'data_loc' | 'rel_loc' } {
  let d = decl;
  let dynamic: 'data_loc' | 'rel_loc' | undefined;
  const loc = /^__(data|rel)_loc\s+/.exec(d);
  if (loc) {
    dynamic = loc[1] === 'data' ? 'data_loc' : 'rel_loc';
    d = d.slice(loc[0].length);
  }
  // "char name[16]", "char[] name" (data_loc), "unsigned long name"
  const arr = /^(.*?)\s*([A-Za-z_]\w*)\s*\[(\w*)\]\s*$/.exec(d);
  if (arr) {
    const out: { name: string; ctype: string; arrayLength?: number; dynamic?: 'data_loc' | 'rel_loc' } = { name: arr[2]!, ctype: arr[1]!.trim() };
    if (/^\d+$/.test(arr[3]!)) out.arrayLength = Number(arr[3]);
    if (dynamic) out.dynamic = dynamic;
    return out;
  }
  const plain = /^(.*?)\s*([A-Za-z_]\w*)\s*$/.exec(d);
  if (!plain) throw new PerfcompatError('ERR_DECODE', `tracepoint format: cannot read the field declaration "${decl}"`);
  const ctype = plain[1]!.replace(/\[\]\s*$/, '').trim();
  const out: { name: string; ctype: string; dynamic?: 'data_loc' | 'rel_loc' } = { name: plain[2]!, ctype };
  if (dynamic) out.dynamic = dynamic;
  return out;
}

function isCharType(ctype: string): boolean {
  return /^(unsigned\s+|signed\s+)?char(\s*\[\])?$/.test(ctype) || ctype === 'u8' || ctype === '__u8' || ctype === 's8';
}

function cstring(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return Buffer.from(b.buffer, b.byteOffset, nul < 0 ? b.byteLength : nul).toString('utf8');
}

function scalar(dv: DataView, off: number, size: number, signed: boolean): number | bigint {
  switch (size) {
    case 1: return signed ? dv.getInt8(off) : dv.getUint8(off);
    case 2: return signed ? dv.getInt16(off, true) : dv.getUint16(off, true);
    case 4: return signed ? dv.getInt32(off, true) : dv.getUint32(off, true);
    case 8: return signed ? dv.getBigInt64(off, true) : dv.getBigUint64(off, true);
    default: return -1;
  }
}

/**
 * Decode a tracepoint sample's RAW bytes by its format: scalars as numbers
 * (8-byte ones as bigint), char arrays and __data_loc strings as strings,
 * other fixed arrays as arrays of elements, anything else as bytes.
 * Throws ERR_DECODE when a field lies outside the raw data.
 */
export function decodeTracepointRaw(format: TracepointFormat, raw: Uint8Array, opts: { common?: boolean } = {}): Record<string, TracepointValue> {
  const fmtValid = 'a TracepointFormat from parseTracepointFormat()';
  objectArg('decodeTracepointRaw', 'format', format, fmtValid);
  bytesArg('decodeTracepointRaw', 'raw', raw);
  if (opts !== undefined) objectArg('decodeTracepointRaw', 'opts', opts, 'an object { common?: boolean }');
  if (!Array.isArray(format.fields) || format.fields.some((f) => f === null || typeof f !== 'object' || typeof f.name !== 'string'
    || !Number.isSafeInteger(f.offset) || !Number.isSafeInteger(f.size) || f.offset < 0 || f.size < 0
    || (f.arrayLength !== undefined && (!Number.isSafeInteger(f.arrayLength) || f.arrayLength < 1)))) {
    throw invalidArgument('decodeTracepointRaw', 'format.fields', format.fields, `an array of fields, as in ${fmtValid}`);
  }
  opts ??= {};
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: Record<string, TracepointValue> = {};
  for (const f of format.fields) {
    if (f.common && opts.common === false) continue;
    if (f.offset + f.size > raw.byteLength) {
      throw new PerfcompatError('ERR_DECODE', `tracepoint ${format.name}: field ${f.name} (offset ${f.offset}, size ${f.size}) lies past the ${raw.byteLength} raw bytes`);
    }
    if (f.dynamic) {
      const word = dv.getUint32(f.offset, true);
      let start = word & 0xffff;
      const len = word >>> 16;
      if (f.dynamic === 'rel_loc') start += f.offset + f.size;
      if (start + len > raw.byteLength) {
        throw new PerfcompatError('ERR_DECODE', `tracepoint ${format.name}: ${f.dynamic} field ${f.name} points at ${start}+${len}, past the ${raw.byteLength} raw bytes`);
      }
      const data = raw.subarray(start, start + len);
      out[f.name] = isCharType(f.ctype) ? cstring(data) : data;
      continue;
    }
    const bytes = raw.subarray(f.offset, f.offset + f.size);
    if (f.arrayLength !== undefined) {
      if (isCharType(f.ctype)) {
        out[f.name] = cstring(bytes);
        continue;
      }
      const el = f.size / f.arrayLength;
      if (Number.isInteger(el) && [1, 2, 4, 8].includes(el)) {
        const arr: Array<number | bigint> = [];
        for (let i = 0; i < f.arrayLength; i++) arr.push(scalar(dv, f.offset + i * el, el, f.signed));
        out[f.name] = arr;
        continue;
      }
      out[f.name] = bytes;
      continue;
    }
    out[f.name] = [1, 2, 4, 8].includes(f.size) ? scalar(dv, f.offset, f.size, f.signed) : bytes;
  }
  return out;
}

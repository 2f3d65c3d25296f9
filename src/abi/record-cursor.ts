/**
 * The bounds-checked little-endian reader the record decoders share (and the
 * shared per-buffer DataView). Pure: no I/O.
 */
import { PerfcompatError } from '../errors';

export { viewOf } from './byte-view';

export function decodeError(msg: string): PerfcompatError {
  return new PerfcompatError('ERR_DECODE', msg);
}

/** A bounds-checked little-endian reader over [off, end). */
export class Cursor {
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

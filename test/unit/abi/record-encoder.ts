/**
 * Test helper: writes perf records the way the kernel lays them out
 * (perf_output_sample order, sample_id trailer, 8-byte padding), written
 * independently of the decoder from the uapi comments of perf_event.h.
 */
import { PERF_FORMAT } from '../../../src/abi/constants';
import { encodeRead, ReadResult } from '../../../src/abi/read-format';

export interface EncLayout {
  sampleType: bigint;
  readFormat?: bigint;
  sampleIdAll?: boolean;
  branchSampleType?: bigint;
  sampleRegsUser?: bigint;
  sampleRegsIntr?: bigint;
}

const bit = (st: bigint, n: number): boolean => (st & (1n << BigInt(n))) !== 0n;

/** A little growable little-endian byte writer. */
export class Writer {
  private parts: Buffer[] = [];
  get length(): number {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
  u64(v: bigint | number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)));
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.parts.push(b);
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    this.parts.push(b);
    return this;
  }
  u8(v: number): this {
    this.parts.push(Buffer.from([v]));
    return this;
  }
  bytes(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }
  /** Zero bytes up to a multiple of 8 (counting from the record start). */
  pad8(): this {
    const r = this.length % 8;
    if (r) this.parts.push(Buffer.alloc(8 - r));
    return this;
  }
  /** A NUL-terminated string padded to 8 bytes, like the kernel's filename/comm fields. */
  cstring(s: string, extraOffset = 0): this {
    const b = Buffer.from(s + '\0', 'utf8');
    this.parts.push(b);
    const r = (this.length + extraOffset) % 8;
    if (r) this.parts.push(Buffer.alloc(8 - r));
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export interface SampleIdFields {
  pid?: number; tid?: number; time?: bigint; id?: bigint; streamId?: bigint; cpu?: number; identifier?: bigint;
}

export function writeSampleId(w: Writer, st: bigint, s: SampleIdFields): void {
  if (bit(st, 1)) w.u32(s.pid ?? 0).u32(s.tid ?? 0);
  if (bit(st, 2)) w.u64(s.time ?? 0n);
  if (bit(st, 6)) w.u64(s.id ?? 0n);
  if (bit(st, 9)) w.u64(s.streamId ?? 0n);
  if (bit(st, 7)) w.u32(s.cpu ?? 0).u32(0);
  if (bit(st, 16)) w.u64(s.identifier ?? 0n);
}

/** Prepend a header (size filled in) to a body. */
export function withHeader(type: number, misc: number, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32LE(type, 0);
  h.writeUInt16LE(misc, 4);
  h.writeUInt16LE(8 + body.length, 6);
  return Buffer.concat([h, body]);
}

/** A non-sample record: body writer, then sample_id when the layout says so. */
export function encodeRecord(type: number, misc: number, body: (w: Writer) => void, layout: EncLayout, id: SampleIdFields = {}): Buffer {
  const w = new Writer();
  // Offsets of padded strings count from the record start: the header is 8 bytes, so body offsets agree mod 8.
  body(w);
  if (layout.sampleIdAll) writeSampleId(w, layout.sampleType, id);
  return withHeader(type, misc, w.done());
}

export interface SampleFields extends SampleIdFields {
  ip?: bigint; addr?: bigint; period?: bigint;
  read?: ReadResult;
  callchain?: bigint[];
  raw?: Uint8Array;
  branch?: { hwIdx?: bigint; entries: { from: bigint; to: bigint; flags: bigint }[]; counters?: bigint[]; absent?: boolean };
  regsUser?: { abi: number; regs: bigint[] };
  stackUser?: { size: number; data: Uint8Array; dynSize: bigint };
  weight?: bigint;
  weightStruct?: { var1: number; var2: number; var3: number };
  dataSrc?: bigint; transaction?: bigint;
  regsIntr?: { abi: number; regs: bigint[] };
  physAddr?: bigint; cgroup?: bigint; dataPageSize?: bigint; codePageSize?: bigint;
  aux?: Uint8Array;
}

export function encodeSample(f: SampleFields, layout: EncLayout, misc = 2): Buffer {
  const st = layout.sampleType;
  const w = new Writer();
  if (bit(st, 16)) w.u64(f.identifier ?? 0n);
  if (bit(st, 0)) w.u64(f.ip ?? 0n);
  if (bit(st, 1)) w.u32(f.pid ?? 0).u32(f.tid ?? 0);
  if (bit(st, 2)) w.u64(f.time ?? 0n);
  if (bit(st, 3)) w.u64(f.addr ?? 0n);
  if (bit(st, 6)) w.u64(f.id ?? 0n);
  if (bit(st, 9)) w.u64(f.streamId ?? 0n);
  if (bit(st, 7)) w.u32(f.cpu ?? 0).u32(0);
  if (bit(st, 8)) w.u64(f.period ?? 0n);
  if (bit(st, 4)) w.bytes(encodeRead(f.read ?? { values: [{ value: 0n }] }, layout.readFormat ?? 0n));
  if (bit(st, 5)) {
    const cc = f.callchain ?? [];
    w.u64(cc.length);
    for (const ip of cc) w.u64(ip);
  }
  if (bit(st, 10)) {
    // u32 size + data, padded so the pair ends on a u64 boundary; size counts the padding.
    const data = f.raw ?? new Uint8Array(4);
    const padded = Math.ceil((4 + data.length) / 8) * 8 - 4;
    const b = Buffer.alloc(padded);
    b.set(data);
    w.u32(padded).bytes(b);
  }
  if (bit(st, 11)) {
    const br = f.branch ?? { entries: [] };
    const bst = layout.branchSampleType ?? 0n;
    w.u64(br.entries.length);
    if (!br.absent) {
      if (bst & (1n << 17n)) w.u64(br.hwIdx ?? 0n);
      for (const e of br.entries) w.u64(e.from).u64(e.to).u64(e.flags);
      if (bst & (1n << 19n)) for (let i = 0; i < br.entries.length; i++) w.u64(br.counters?.[i] ?? 0n);
    }
  }
  const regs = (r: { abi: number; regs: bigint[] } | undefined): void => {
    const v = r ?? { abi: 0, regs: [] };
    w.u64(v.abi);
    if (v.abi !== 0) for (const x of v.regs) w.u64(x);
  };
  if (bit(st, 12)) regs(f.regsUser);
  if (bit(st, 13)) {
    const s = f.stackUser ?? { size: 0, data: new Uint8Array(0), dynSize: 0n };
    w.u64(s.size);
    if (s.size !== 0) {
      const b = Buffer.alloc(s.size);
      b.set(s.data.subarray(0, s.size));
      w.bytes(b).u64(s.dynSize);
    }
  }
  if (bit(st, 14)) w.u64(f.weight ?? 0n);
  if (bit(st, 24)) {
    const ws = f.weightStruct ?? { var1: 0, var2: 0, var3: 0 };
    w.u32(ws.var1).u16(ws.var2).u16(ws.var3);
  }
  if (bit(st, 15)) w.u64(f.dataSrc ?? 0n);
  if (bit(st, 17)) w.u64(f.transaction ?? 0n);
  if (bit(st, 18)) regs(f.regsIntr);
  if (bit(st, 19)) w.u64(f.physAddr ?? 0n);
  if (bit(st, 21)) w.u64(f.cgroup ?? 0n);
  if (bit(st, 22)) w.u64(f.dataPageSize ?? 0n);
  if (bit(st, 23)) w.u64(f.codePageSize ?? 0n);
  if (bit(st, 20)) {
    const a = f.aux ?? new Uint8Array(0);
    w.u64(a.length).bytes(a);
  }
  return withHeader(9, misc, w.done());
}

/** Whether a read_format has the group bit. */
export function isGroup(fmt: bigint): boolean {
  return (fmt & PERF_FORMAT.GROUP) !== 0n;
}

/** The shared deterministic PRNG, under the name these tests use. */
export { mulberry32 as prng } from '../../helpers/prng';

import assert from 'node:assert/strict';
import {
  decodeRecord, decodeRecords, decodeBranchFlags, isCallchainContext, PerfRecord, RecordLayout, SampleRecord,
} from '../../../src/abi/records';
import { PERF_CONTEXT, PERF_FORMAT, PERF_RECORD_MISC, RECORD_TYPES, SAMPLE_TYPE } from '../../../src/abi/constants';
import { encodeRead, ReadResult } from '../../../src/abi/read-format';
import { PerfcompatError } from '../../../src/errors';
import {
  EncLayout, encodeRecord, encodeSample, isGroup, prng, SampleFields, SampleIdFields, withHeader, Writer,
} from './record-encoder';

/** Byte arrays become plain arrays so Buffers and Uint8Array views compare equal. */
function norm(v: unknown): unknown {
  if (v instanceof Uint8Array || v instanceof BigUint64Array) return Array.from(v as ArrayLike<unknown>);
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, norm(x)]));
  }
  return v;
}

function throwsDecode(fn: () => unknown, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PerfcompatError, `expected PerfcompatError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_DECODE');
    if (re) assert.match(e.message, re);
    return true;
  });
}

const bitOf = (name: string): bigint => 1n << BigInt(SAMPLE_TYPE.find((b) => b.name === name)!.bit);
const ST = Object.fromEntries(SAMPLE_TYPE.map((b) => [b.name, 1n << BigInt(b.bit)])) as Record<string, bigint>;

describe('records: hand-written bytes (independent of the test encoder)', () => {
  it('decodes a cpu-clock sample with IP|TID|TIME|PERIOD word by word', () => {
    const b = Buffer.alloc(40);
    b.writeUInt32LE(9, 0); // PERF_RECORD_SAMPLE
    b.writeUInt16LE(2, 4); // PERF_RECORD_MISC_USER
    b.writeUInt16LE(40, 6);
    b.writeBigUInt64LE(0x401000n, 8); // ip
    b.writeUInt32LE(1234, 16); // pid
    b.writeUInt32LE(1235, 20); // tid
    b.writeBigUInt64LE(987654321n, 24); // time
    b.writeBigUInt64LE(250000n, 32); // period
    const r = decodeRecord(b, { sampleType: ST.ip! | ST.tid! | ST.time! | ST.period! });
    assert.deepEqual(norm(r), { kind: 'sample', type: 9, misc: 2, size: 40, ip: 0x401000n, pid: 1234, tid: 1235, time: 987654321n, period: 250000n });
  });

  it('decodes an MMAP2 record with its sample_id trailer (TID|TIME|CPU)', () => {
    // header 8 + pid/tid 8 + addr/len/pgoff 24 + maj/min/ino/gen 24 + prot/flags 8 + "/bin/x\0" padded to 8 + sample_id 24
    const b = Buffer.alloc(8 + 8 + 24 + 24 + 8 + 8 + 24);
    b.writeUInt32LE(10, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(b.length, 6);
    b.writeUInt32LE(7, 8); b.writeUInt32LE(8, 12);
    b.writeBigUInt64LE(0x555500000000n, 16); b.writeBigUInt64LE(0x2000n, 24); b.writeBigUInt64LE(0x1000n, 32);
    b.writeUInt32LE(8, 40); b.writeUInt32LE(1, 44); b.writeBigUInt64LE(424242n, 48); b.writeBigUInt64LE(3n, 56);
    b.writeUInt32LE(5, 64); b.writeUInt32LE(2, 68);
    b.write('/bin/x', 72, 'latin1');
    b.writeUInt32LE(7, 80); b.writeUInt32LE(8, 84); b.writeBigUInt64LE(111n, 88); b.writeUInt32LE(1, 96);
    const r = decodeRecord(b, { sampleType: ST.tid! | ST.time! | ST.cpu! | ST.ip!, sampleIdAll: true });
    assert.deepEqual(norm(r), {
      kind: 'mmap2', type: 10, misc: 2, size: b.length, pid: 7, tid: 8, addr: 0x555500000000n, len: 0x2000n, pgoff: 0x1000n,
      maj: 8, min: 1, ino: 424242n, inoGeneration: 3n, prot: 5, flags: 2, filename: '/bin/x',
      sampleId: { pid: 7, tid: 8, time: 111n, cpu: 1 },
    });
  });

  it('decodes a sched_switch-style RAW sample: u32 size, data, padding counted in size', () => {
    const b = Buffer.alloc(8 + 8 + 4 + 12);
    b.writeUInt32LE(9, 0); b.writeUInt16LE(b.length, 6);
    b.writeBigUInt64LE(5n, 8); // time
    b.writeUInt32LE(12, 16); // raw size (data 12, so u32 + data = 16)
    b.write('abcdefghijkl', 20, 'latin1');
    const r = decodeRecord(b, { sampleType: ST.time! | ST.raw! }) as SampleRecord;
    assert.equal(Buffer.from(r.raw!).toString('latin1'), 'abcdefghijkl');
  });
});

describe('records: every record type, with and without sample_id_all', () => {
  const idTypes: bigint[] = [0n, ST.tid! | ST.time!, ST.tid! | ST.time! | ST.id! | ST.stream_id! | ST.cpu! | ST.identifier!, ST.identifier!];
  const id: SampleIdFields = { pid: 42, tid: 43, time: 123456789n, id: 77n, streamId: 78n, cpu: 1, identifier: 77n };
  const expectId = (st: bigint): Record<string, unknown> => {
    const s: Record<string, unknown> = {};
    if (st & ST.tid!) { s.pid = 42; s.tid = 43; }
    if (st & ST.time!) s.time = 123456789n;
    if (st & ST.id!) s.id = 77n;
    if (st & ST.stream_id!) s.streamId = 78n;
    if (st & ST.cpu!) s.cpu = 1;
    if (st & ST.identifier!) s.identifier = 77n;
    return s;
  };
  const readFmt = PERF_FORMAT.GROUP | PERF_FORMAT.ID | PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.LOST;
  const readVals: ReadResult = { timeEnabled: 900n, values: [{ value: 10n, id: 1n, lost: 0n }, { value: 20n, id: 2n, lost: 3n }] };

  type Case = { type: number; misc?: number; body: (w: Writer) => void; expect: Record<string, unknown> };
  const cases: Case[] = [
    { type: 1, body: (w) => w.u32(1).u32(2).u64(0x1000n).u64(0x2000n).u64(0n).cstring('/usr/lib/libc.so.6'),
      expect: { kind: 'mmap', pid: 1, tid: 2, addr: 0x1000n, len: 0x2000n, pgoff: 0n, filename: '/usr/lib/libc.so.6' } },
    { type: 2, body: (w) => w.u64(5n).u64(17n), expect: { kind: 'lost', id: 5n, lost: 17n } },
    { type: 3, misc: PERF_RECORD_MISC.COMM_EXEC, body: (w) => w.u32(9).u32(9).cstring('node'),
      expect: { kind: 'comm', pid: 9, tid: 9, comm: 'node', exec: true } },
    { type: 3, body: (w) => w.u32(9).u32(10).cstring('exactly8'), // 8 chars + NUL: padding to 16
      expect: { kind: 'comm', pid: 9, tid: 10, comm: 'exactly8', exec: false } },
    { type: 4, body: (w) => w.u32(1).u32(2).u32(3).u32(4).u64(99n), expect: { kind: 'exit', pid: 1, ppid: 2, tid: 3, ptid: 4, time: 99n } },
    { type: 5, body: (w) => w.u64(1n).u64(2n).u64(3n), expect: { kind: 'throttle', time: 1n, id: 2n, streamId: 3n } },
    { type: 6, body: (w) => w.u64(4n).u64(5n).u64(6n), expect: { kind: 'unthrottle', time: 4n, id: 5n, streamId: 6n } },
    { type: 7, body: (w) => w.u32(11).u32(12).u32(13).u32(14).u64(15n), expect: { kind: 'fork', pid: 11, ppid: 12, tid: 13, ptid: 14, time: 15n } },
    { type: 8, body: (w) => w.u32(3).u32(4).bytes(encodeRead(readVals, readFmt)),
      expect: { kind: 'read', pid: 3, tid: 4, values: readVals } },
    { type: 10, body: (w) => w.u32(1).u32(2).u64(3n).u64(4n).u64(5n).u32(6).u32(7).u64(8n).u64(9n).u32(5).u32(0x802).cstring('[vdso]'),
      expect: { kind: 'mmap2', pid: 1, tid: 2, addr: 3n, len: 4n, pgoff: 5n, maj: 6, min: 7, ino: 8n, inoGeneration: 9n, prot: 5, flags: 0x802, filename: '[vdso]' } },
    { type: 10, misc: PERF_RECORD_MISC.MMAP_BUILD_ID,
      body: (w) => w.u32(1).u32(2).u64(3n).u64(4n).u64(5n).u8(20).u8(0).u16(0).bytes(Buffer.alloc(20, 0xab)).u32(5).u32(2).cstring('/bin/true'),
      expect: { kind: 'mmap2', pid: 1, tid: 2, addr: 3n, len: 4n, pgoff: 5n, buildId: Array(20).fill(0xab), prot: 5, flags: 2, filename: '/bin/true' } },
    { type: 10, misc: PERF_RECORD_MISC.MMAP_BUILD_ID,
      body: (w) => w.u32(1).u32(2).u64(3n).u64(4n).u64(5n).u8(16).u8(0).u16(0).bytes(Buffer.concat([Buffer.alloc(16, 7), Buffer.alloc(4)])).u32(5).u32(2).cstring('x'),
      expect: { kind: 'mmap2', pid: 1, tid: 2, addr: 3n, len: 4n, pgoff: 5n, buildId: Array(16).fill(7), prot: 5, flags: 2, filename: 'x' } },
    { type: 11, body: (w) => w.u64(4096n).u64(8192n).u64(1n), expect: { kind: 'aux', auxOffset: 4096n, auxSize: 8192n, flags: 1n } },
    { type: 12, body: (w) => w.u32(5).u32(6), expect: { kind: 'itrace_start', pid: 5, tid: 6 } },
    { type: 13, body: (w) => w.u64(12n), expect: { kind: 'lost_samples', lost: 12n } },
    { type: 14, misc: PERF_RECORD_MISC.SWITCH_OUT | PERF_RECORD_MISC.SWITCH_OUT_PREEMPT, body: () => undefined,
      expect: { kind: 'switch', out: true, preempt: true } },
    { type: 14, body: () => undefined, expect: { kind: 'switch', out: false, preempt: false } },
    { type: 15, misc: PERF_RECORD_MISC.SWITCH_OUT, body: (w) => w.u32(100).u32(101),
      expect: { kind: 'switch_cpu_wide', out: true, preempt: false, nextPrevPid: 100, nextPrevTid: 101 } },
    { type: 16, body: (w) => w.u32(1).u32(1).u64(2).u64(10n).u64(20n).u64(11n).u64(21n),
      expect: { kind: 'namespaces', pid: 1, tid: 1, namespaces: [{ dev: 10n, inode: 20n }, { dev: 11n, inode: 21n }] } },
    { type: 17, body: (w) => w.u64(0xffffffffc0000000n).u32(256).u16(1).u16(0).cstring('bpf_prog_abc_f'),
      expect: { kind: 'ksymbol', addr: 0xffffffffc0000000n, len: 256, ksymType: 1, flags: 0, name: 'bpf_prog_abc_f' } },
    { type: 18, body: (w) => w.u16(1).u16(0).u32(33).bytes(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])),
      expect: { kind: 'bpf_event', bpfType: 1, flags: 0, id: 33, tag: [1, 2, 3, 4, 5, 6, 7, 8] } },
    { type: 19, body: (w) => w.u64(1234n).cstring('/sys/fs/cgroup/user.slice'), expect: { kind: 'cgroup', id: 1234n, path: '/sys/fs/cgroup/user.slice' } },
    { type: 20, body: (w) => w.u64(0xffffffff81000000n).u16(5).u16(5).bytes(Buffer.from([0xe8, 0, 0, 0, 0, 0x0f, 0x1f, 0x44, 0, 0])).pad8(),
      expect: { kind: 'text_poke', addr: 0xffffffff81000000n, oldBytes: [0xe8, 0, 0, 0, 0], newBytes: [0x0f, 0x1f, 0x44, 0, 0] } },
    { type: 20, body: (w) => w.u64(1n).u16(0).u16(4).bytes(Buffer.from([1, 2, 3, 4])),
      expect: { kind: 'text_poke', addr: 1n, oldBytes: [], newBytes: [1, 2, 3, 4] } },
    { type: 21, body: (w) => w.u64(7n), expect: { kind: 'aux_output_hw_id', hwId: 7n } },
    { type: 22, body: (w) => w.u64(0xc00c1en).u64(3).u64(PERF_CONTEXT.USER).u64(0x401000n).u64(0x402000n),
      expect: { kind: 'callchain_deferred', cookie: 0xc00c1en, ips: [PERF_CONTEXT.USER, 0x401000n, 0x402000n] } },
  ];

  it('covers every record type of the ABI tables except SAMPLE (decoded separately)', () => {
    const covered = new Set(cases.map((c) => c.type));
    for (const r of RECORD_TYPES) if (r.name !== 'sample') assert.ok(covered.has(r.value), `no case for PERF_RECORD_${r.uapi}`);
  });

  for (const c of cases) {
    for (const st of idTypes) {
      for (const all of [false, true]) {
        it(`type ${c.type} (${c.expect.kind}) misc 0x${(c.misc ?? 0).toString(16)}, sample_type 0x${st.toString(16)}, sample_id_all ${all}`, () => {
          const layout: EncLayout = { sampleType: st, sampleIdAll: all, readFormat: readFmt };
          const bytes = encodeRecord(c.type, c.misc ?? 0, c.body, layout, id);
          const r = decodeRecord(bytes, layout);
          const expected: Record<string, unknown> = { type: c.type, misc: c.misc ?? 0, size: bytes.length, ...c.expect };
          if (all) expected.sampleId = expectId(st);
          assert.deepEqual(norm(r), norm(expected));
          assert.equal(bytes.length % 8, 0, 'the encoder keeps records u64-aligned');
        });
      }
    }
  }

  it('a layout that disagrees with the bytes (sample_id_all missing) is refused, not misread', () => {
    const layout: EncLayout = { sampleType: ST.tid! | ST.time!, sampleIdAll: true };
    const bytes = encodeRecord(2, 0, (w) => w.u64(1n).u64(2n), layout, id);
    throwsDecode(() => decodeRecord(bytes, { sampleType: ST.tid! | ST.time!, sampleIdAll: false }), /left over/);
  });
});

/** Random field values for a sample_type, and the record the decoder must return. */
function makeSample(st: bigint, layout: EncLayout, rnd: () => number): { fields: SampleFields; expected: Partial<SampleRecord> } {
  const u64 = (): bigint => (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32));
  const u32 = (): number => Math.floor(rnd() * 2 ** 32);
  const n = (max: number): number => Math.floor(rnd() * (max + 1));
  const f: SampleFields = {};
  const e: Partial<SampleRecord> = {};
  const has = (name: string): boolean => (st & bitOf(name)) !== 0n;
  if (has('identifier')) e.identifier = f.identifier = u64();
  if (has('ip')) e.ip = f.ip = u64();
  if (has('tid')) { e.pid = f.pid = u32(); e.tid = f.tid = u32(); }
  if (has('time')) e.time = f.time = u64();
  if (has('addr')) e.addr = f.addr = u64();
  if (has('id')) e.id = f.id = u64();
  if (has('stream_id')) e.streamId = f.streamId = u64();
  if (has('cpu')) e.cpu = f.cpu = n(4095);
  if (has('period')) e.period = f.period = u64();
  if (has('read')) {
    const fmt = layout.readFormat ?? 0n;
    const members = isGroup(fmt) ? 1 + n(3) : 1;
    const r: ReadResult = { values: [] };
    if (fmt & PERF_FORMAT.TOTAL_TIME_ENABLED) r.timeEnabled = u64();
    if (fmt & PERF_FORMAT.TOTAL_TIME_RUNNING) r.timeRunning = u64();
    for (let i = 0; i < members; i++) {
      const v: { value: bigint; id?: bigint; lost?: bigint } = { value: u64() };
      if (fmt & PERF_FORMAT.ID) v.id = u64();
      if (fmt & PERF_FORMAT.LOST) v.lost = u64();
      r.values.push(v);
    }
    e.read = f.read = r;
  }
  if (has('callchain')) {
    const cc = [PERF_CONTEXT.KERNEL, ...Array.from({ length: n(5) }, u64), PERF_CONTEXT.USER, u64()];
    f.callchain = cc.slice(0, n(cc.length));
    e.callchain = BigUint64Array.from(f.callchain);
  }
  if (has('raw')) {
    const len = n(40);
    const data = Buffer.from(Array.from({ length: len }, () => n(255)));
    f.raw = data;
    const padded = Buffer.alloc(Math.ceil((4 + len) / 8) * 8 - 4);
    padded.set(data);
    e.raw = padded;
  }
  if (has('branch_stack')) {
    const bst = layout.branchSampleType ?? 0n;
    const entries = Array.from({ length: n(4) }, () => ({ from: u64(), to: u64(), flags: u64() }));
    const br: NonNullable<SampleFields['branch']> = { entries };
    const eb: NonNullable<SampleRecord['branchStack']> = { entries };
    if (bst & (1n << 17n)) eb.hwIdx = br.hwIdx = u64();
    if (bst & (1n << 19n)) eb.counters = br.counters = entries.map(u64);
    f.branch = br;
    e.branchStack = eb;
  }
  const mkRegs = (mask: bigint | undefined): { abi: number; regs: bigint[] } => {
    let count = 0;
    for (let m = mask ?? 0n; m; m &= m - 1n) count++;
    const abi = n(2);
    return { abi, regs: abi === 0 ? [] : Array.from({ length: count }, u64) };
  };
  if (has('regs_user')) e.regsUser = f.regsUser = mkRegs(layout.sampleRegsUser);
  if (has('stack_user')) {
    const size = 8 * n(4);
    const data = Buffer.from(Array.from({ length: size }, () => n(255)));
    const dyn = size === 0 ? 0 : n(size);
    f.stackUser = { size, data, dynSize: BigInt(dyn) };
    e.stackUser = { size: BigInt(size), data: data.subarray(0, dyn), dynSize: BigInt(dyn) };
  }
  if (has('weight')) e.weight = f.weight = u64();
  if (has('weight_struct')) e.weightStruct = f.weightStruct = { var1: u32(), var2: n(65535), var3: n(65535) };
  if (has('data_src')) e.dataSrc = f.dataSrc = u64();
  if (has('transaction')) e.transaction = f.transaction = u64();
  if (has('regs_intr')) e.regsIntr = f.regsIntr = mkRegs(layout.sampleRegsIntr);
  if (has('phys_addr')) e.physAddr = f.physAddr = u64();
  if (has('cgroup')) e.cgroup = f.cgroup = u64();
  if (has('data_page_size')) e.dataPageSize = f.dataPageSize = 4096n;
  if (has('code_page_size')) e.codePageSize = f.codePageSize = 2097152n;
  if (has('aux')) {
    const a = Buffer.from(Array.from({ length: 8 * n(3) }, () => n(255)));
    e.aux = f.aux = a;
  }
  return { fields: f, expected: e };
}

describe('records: every sample_type field, in kernel order, in generated combinations', () => {
  const names = SAMPLE_TYPE.map((b) => b.name);
  const rnd = prng(0x5eed);
  const layouts = (st: bigint): EncLayout[] => {
    const base = { sampleType: st, sampleRegsUser: 0xff0fn, sampleRegsIntr: 0x3n };
    const out: EncLayout[] = [];
    for (const fmt of [0n, PERF_FORMAT.ID | PERF_FORMAT.TOTAL_TIME_RUNNING, PERF_FORMAT.GROUP | PERF_FORMAT.ID | PERF_FORMAT.LOST | PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING]) {
      for (const bst of [0n, 1n << 17n, (1n << 17n) | (1n << 19n), 1n << 19n]) {
        out.push({ ...base, readFormat: fmt, branchSampleType: bst });
      }
    }
    return out;
  };
  const valid = (st: bigint): boolean => !((st & ST.weight!) && (st & ST.weight_struct!));
  const combos: bigint[] = [];
  for (let i = 0; i < names.length; i++) {
    combos.push(bitOf(names[i]!));
    for (let j = i + 1; j < names.length; j++) combos.push(bitOf(names[i]!) | bitOf(names[j]!));
  }
  for (let k = 0; k < 400; k++) {
    let st = 0n;
    for (const nm of names) if (rnd() < 0.4) st |= bitOf(nm);
    combos.push(st);
  }
  const all = names.reduce((a, nm) => a | bitOf(nm), 0n);
  combos.push(all & ~ST.weight!, all & ~ST.weight_struct!, 0n);

  it(`round-trips ${combos.filter(valid).length} sample_type combinations × read_format × branch_sample_type layouts`, () => {
    let checked = 0;
    for (const st of combos.filter(valid)) {
      for (const layout of layouts(st)) {
        const { fields, expected } = makeSample(st, layout, rnd);
        const bytes = encodeSample(fields, layout, PERF_RECORD_MISC.USER | PERF_RECORD_MISC.EXACT_IP);
        const r = decodeRecord(bytes, layout);
        assert.deepEqual(norm(r), norm({ kind: 'sample', type: 9, misc: PERF_RECORD_MISC.USER | PERF_RECORD_MISC.EXACT_IP, size: bytes.length, ...expected }),
          `sample_type 0x${st.toString(16)} read_format 0x${layout.readFormat!.toString(16)} branch 0x${layout.branchSampleType!.toString(16)}`);
        checked++;
      }
    }
    assert.equal(checked, combos.filter(valid).length * 12);
  });

  it('every truncation of a full-featured sample throws ERR_DECODE, never a wrong record', () => {
    const layout: EncLayout = { sampleType: all & ~ST.weight!, readFormat: PERF_FORMAT.GROUP | PERF_FORMAT.ID, branchSampleType: 1n << 17n, sampleRegsUser: 0xfn, sampleRegsIntr: 0x1n };
    const { fields } = makeSample(layout.sampleType, layout, prng(7));
    const full = encodeSample(fields, layout);
    for (let cut = 8; cut < full.length; cut += 8) {
      // A shorter header.size over the same bytes: fields overrun the record.
      const b = Buffer.from(full.subarray(0, cut));
      b.writeUInt16LE(cut, 6);
      throwsDecode(() => decodeRecord(b, layout));
    }
    for (let cut = 0; cut < full.length; cut++) {
      throwsDecode(() => decodeRecord(full.subarray(0, cut), layout));
    }
  });

  it('an empty branch stack without hw_idx (no stack saved) and with it both decode', () => {
    const layout: EncLayout = { sampleType: ST.ip! | ST.branch_stack! | ST.period!, branchSampleType: 1n << 17n };
    const saved = decodeRecord(encodeSample({ ip: 1n, branch: { hwIdx: 0xffffffffffffffffn, entries: [] }, period: 5n }, layout), layout) as SampleRecord;
    assert.deepEqual(norm(saved.branchStack), { hwIdx: 0xffffffffffffffffn, entries: [] });
    assert.equal(saved.period, 5n);
    const absent = decodeRecord(encodeSample({ ip: 1n, branch: { entries: [], absent: true }, period: 5n }, layout), layout) as SampleRecord;
    assert.deepEqual(norm(absent.branchStack), { entries: [] });
    assert.equal(absent.period, 5n);
  });

  it('refuses layouts it cannot decode: unknown sample_type bits, WEIGHT with WEIGHT_STRUCT', () => {
    const b = encodeSample({}, { sampleType: 0n });
    assert.throws(() => decodeRecord(b, { sampleType: 1n << 25n }), /bits above/);
    assert.throws(() => decodeRecord(b, { sampleType: ST.weight! | ST.weight_struct! }), /exclusive/);
  });
});

describe('records: unknown and corrupt input', () => {
  it('keeps an unknown record type whole as bytes', () => {
    const b = withHeader(99, 3, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const r = decodeRecord(b, { sampleType: 0n, sampleIdAll: true });
    assert.deepEqual(norm(r), { kind: 'unknown', type: 99, misc: 3, size: 16, bytes: Array.from(b) });
  });

  it('throws ERR_DECODE for a header.size under 8, a size past the input, and a callchain nr that cannot fit', () => {
    const layout: RecordLayout = { sampleType: ST.callchain! };
    const small = Buffer.alloc(16);
    small.writeUInt32LE(9, 0);
    small.writeUInt16LE(4, 6);
    throwsDecode(() => decodeRecord(small, layout), /smaller than the header/);
    const big = Buffer.alloc(16);
    big.writeUInt32LE(9, 0);
    big.writeUInt16LE(64, 6);
    throwsDecode(() => decodeRecord(big, layout), /runs past/);
    const nr = Buffer.alloc(24);
    nr.writeUInt32LE(9, 0);
    nr.writeUInt16LE(24, 6);
    nr.writeBigUInt64LE(1n << 60n, 8);
    throwsDecode(() => decodeRecord(nr, layout), /cannot fit/);
  });

  it('throws ERR_DECODE for a string without its NUL and for a build_id_size over 20', () => {
    const layout: EncLayout = { sampleType: 0n };
    const comm = withHeader(3, 0, new Writer().u32(1).u32(1).bytes(Buffer.from('abcdefgh')).done());
    throwsDecode(() => decodeRecord(comm, layout), /NUL/);
    const m2 = encodeRecord(10, PERF_RECORD_MISC.MMAP_BUILD_ID,
      (w) => w.u32(1).u32(2).u64(3n).u64(4n).u64(5n).u8(21).u8(0).u16(0).bytes(Buffer.alloc(20)).u32(0).u32(0).cstring('x'), layout);
    throwsDecode(() => decodeRecord(m2, layout), /build_id_size/);
  });

  it('decodeRecords walks a run of mixed records and rejects a partial one at the end', () => {
    const layout: EncLayout = { sampleType: ST.ip! | ST.tid! | ST.time!, sampleIdAll: true };
    const run = Buffer.concat([
      encodeRecord(3, 0, (w) => w.u32(1).u32(1).cstring('a'), layout, { pid: 1, tid: 1, time: 1n }),
      encodeSample({ ip: 2n, pid: 1, tid: 1, time: 2n }, layout),
      withHeader(77, 0, Buffer.alloc(0)),
      encodeRecord(13, 0, (w) => w.u64(4n), layout, { pid: 1, tid: 1, time: 3n }),
    ]);
    const recs: PerfRecord[] = decodeRecords(run, layout);
    assert.deepEqual(recs.map((r) => r.kind), ['comm', 'sample', 'unknown', 'lost_samples']);
    throwsDecode(() => decodeRecords(run.subarray(0, run.length - 4), layout));
  });
});

describe('records: helpers', () => {
  it('decodeBranchFlags splits the perf_branch_entry bit fields', () => {
    const flags = 1n | (0n << 1n) | (1n << 3n) | (300n << 4n) | (5n << 20n) | (2n << 24n) | (3n << 26n) | (1n << 30n);
    assert.deepEqual(decodeBranchFlags(flags), { mispred: true, predicted: false, inTx: false, abort: true, cycles: 300, type: 5, spec: 2, newType: 3, priv: 1 });
  });
  it('isCallchainContext tells markers from addresses', () => {
    for (const v of Object.values(PERF_CONTEXT)) assert.equal(isCallchainContext(v), true);
    assert.equal(isCallchainContext(0xffffffff81000000n), false);
    assert.equal(isCallchainContext(0x401000n), false);
  });
});

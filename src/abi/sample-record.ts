/**
 * PERF_RECORD_SAMPLE: every PERF_SAMPLE_* field in the order
 * kernel/events/core.c perf_output_sample() writes them, the read_format
 * block of PERF_SAMPLE_READ (shared with PERF_RECORD_READ), the sample_id
 * trailer that sample_id_all appends to non-sample records, and helpers for
 * branch flags and callchain markers. Pure: no I/O.
 */
import { invalidArgument, u64Arg } from './args';
import { PERF_CONTEXT } from './constants';
import { decodeRead, readSize, ReadResult } from './read-format';
import { Cursor, decodeError } from './record-cursor';
import {
  CompiledLayout, S_ADDR, S_AUX, S_BRANCH_STACK, S_CALLCHAIN, S_CGROUP, S_CODE_PAGE_SIZE, S_CPU, S_DATA_PAGE_SIZE,
  S_DATA_SRC, S_ID, S_IDENTIFIER, S_IP, S_PERIOD, S_PHYS_ADDR, S_RAW, S_READ, S_REGS_INTR, S_REGS_USER, S_STACK_USER,
  S_STREAM_ID, S_TID, S_TIME, S_TRANSACTION, S_WEIGHT, S_WEIGHT_STRUCT,
} from './record-layout';
import type { BranchEntry, BranchStack, SampledRegs, SampleId, SampleRecord } from './record-types';

/** Bytes of a read_format block at the cursor (group: reads nr without consuming it). */
function readBlockLength(c: Cursor, L: CompiledLayout): number {
  if (!L.readGroup) return readSize(L.readFormat);
  c.need(8, 'read_format nr');
  const nr = c.dv.getBigUint64(c.off, true);
  const room = BigInt(Math.floor((c.end - c.off) / 8));
  if (nr > room) throw decodeError(`${c.what}: read_format group of ${nr} members cannot fit in the ${c.end - c.off} bytes left`);
  return readSize(L.readFormat, Number(nr));
}

export function readValues(c: Cursor, L: CompiledLayout): ReadResult {
  const len = readBlockLength(c, L);
  c.need(len, 'read_format values');
  const r = decodeRead(c.bytes.subarray(c.off, c.off + len), L.readFormat);
  c.off += len;
  return r;
}

function regs(c: Cursor, n: number, field: string): SampledRegs {
  const abi = Number(c.u64(`${field} abi`));
  return { abi, regs: abi === 0 ? [] : c.u64s(n, `${field} registers`) };
}

export function sampleIdAt(c: Cursor, st: number): SampleId {
  const s: SampleId = {};
  if (st & S_TID) { s.pid = c.u32('sample_id pid'); s.tid = c.u32('sample_id tid'); }
  if (st & S_TIME) s.time = c.u64('sample_id time');
  if (st & S_ID) s.id = c.u64('sample_id id');
  if (st & S_STREAM_ID) s.streamId = c.u64('sample_id stream_id');
  if (st & S_CPU) { s.cpu = c.u32('sample_id cpu'); c.u32('sample_id res'); }
  if (st & S_IDENTIFIER) s.identifier = c.u64('sample_id identifier');
  return s;
}

/** Decode the fields after the branch stack (shared by both readings of an ambiguous empty stack). */
function sampleTail(c: Cursor, L: CompiledLayout, s: SampleRecord): void {
  const st = L.sampleType;
  if (st & S_REGS_USER) s.regsUser = regs(c, L.regsUserCount, 'regs_user');
  if (st & S_STACK_USER) {
    const size = c.u64('stack_user size');
    if (size === 0n) {
      s.stackUser = { size, data: c.bytes.subarray(c.off, c.off), dynSize: 0n };
    } else {
      if (size > BigInt(c.end - c.off)) throw decodeError(`${c.what}: stack_user size ${size} exceeds the ${c.end - c.off} bytes left`);
      const data = c.bytesOf(Number(size), 'stack_user data');
      const dynSize = c.u64('stack_user dyn_size');
      s.stackUser = { size, data: dynSize <= size ? data.subarray(0, Number(dynSize)) : data, dynSize };
    }
  }
  if (st & S_WEIGHT) s.weight = c.u64('weight');
  if (st & S_WEIGHT_STRUCT) {
    c.need(8, 'weight_struct');
    s.weightStruct = { var1: c.u32('weight var1_dw'), var2: c.u16('weight var2_w'), var3: c.u16('weight var3_w') };
  }
  if (st & S_DATA_SRC) s.dataSrc = c.u64('data_src');
  if (st & S_TRANSACTION) s.transaction = c.u64('transaction');
  if (st & S_REGS_INTR) s.regsIntr = regs(c, L.regsIntrCount, 'regs_intr');
  if (st & S_PHYS_ADDR) s.physAddr = c.u64('phys_addr');
  if (st & S_CGROUP) s.cgroup = c.u64('cgroup');
  if (st & S_DATA_PAGE_SIZE) s.dataPageSize = c.u64('data_page_size');
  if (st & S_CODE_PAGE_SIZE) s.codePageSize = c.u64('code_page_size');
  if (st & S_AUX) {
    const size = c.u64('aux size');
    if (size > BigInt(c.end - c.off)) throw decodeError(`${c.what}: aux size ${size} exceeds the ${c.end - c.off} bytes left`);
    s.aux = c.bytesOf(Number(size), 'aux data');
  }
}

export function decodeSample(c: Cursor, L: CompiledLayout, misc: number, size: number): SampleRecord {
  const st = L.sampleType;
  const s: SampleRecord = { kind: 'sample', type: 9, misc, size };
  if (st & S_IDENTIFIER) s.identifier = c.u64('identifier');
  if (st & S_IP) s.ip = c.u64('ip');
  if (st & S_TID) { s.pid = c.u32('pid'); s.tid = c.u32('tid'); }
  if (st & S_TIME) s.time = c.u64('time');
  if (st & S_ADDR) s.addr = c.u64('addr');
  if (st & S_ID) s.id = c.u64('id');
  if (st & S_STREAM_ID) s.streamId = c.u64('stream_id');
  if (st & S_CPU) { s.cpu = c.u32('cpu'); c.u32('res'); }
  if (st & S_PERIOD) s.period = c.u64('period');
  if (st & S_READ) s.read = readValues(c, L);
  if (st & S_CALLCHAIN) s.callchain = c.u64Array(c.count('callchain nr', 8), 'callchain ips');
  if (st & S_RAW) {
    const n = c.u32('raw size');
    s.raw = c.bytesOf(n, 'raw data');
  }
  if (st & S_BRANCH_STACK) {
    const nr = c.count('branch_stack nr', 24);
    if (nr === 0 && L.hwIndex) {
      // The kernel writes hw_idx after nr only when the PMU saved a branch
      // stack; with none it writes nr = 0 alone. Both read as nr = 0: take
      // the reading that decodes the rest of the record exactly.
      const at = c.off;
      try {
        const hwIdx = c.u64('branch_stack hw_idx');
        sampleTail(c, L, s);
        if (c.off !== c.end) throw decodeError('trailing');
        s.branchStack = { hwIdx, entries: [] };
        if (L.branchCounters) s.branchStack.counters = [];
        return s;
      } catch {
        c.off = at;
        s.branchStack = { entries: [] };
      }
    } else {
      const bs: BranchStack = { entries: new Array<BranchEntry>(nr) };
      if (L.hwIndex) bs.hwIdx = c.u64('branch_stack hw_idx');
      c.need(24 * nr, 'branch_stack entries');
      for (let i = 0; i < nr; i++) {
        const o = c.off + 24 * i;
        bs.entries[i] = { from: c.dv.getBigUint64(o, true), to: c.dv.getBigUint64(o + 8, true), flags: c.dv.getBigUint64(o + 16, true) };
      }
      c.off += 24 * nr;
      if (L.branchCounters) bs.counters = c.u64s(nr, 'branch_stack counters');
      s.branchStack = bs;
    }
  }
  sampleTail(c, L, s);
  return s;
}

/** The bit fields of a branch entry's flags word (struct perf_branch_entry). */
export function decodeBranchFlags(flags: bigint): {
  mispred: boolean; predicted: boolean; inTx: boolean; abort: boolean; cycles: number; type: number; spec: number; newType: number; priv: number;
} {
  const word = u64Arg('decodeBranchFlags', 'flags', flags);
  const f = (shift: number, width: number): number => Number((word >> BigInt(shift)) & ((1n << BigInt(width)) - 1n));
  return {
    mispred: f(0, 1) === 1, predicted: f(1, 1) === 1, inTx: f(2, 1) === 1, abort: f(3, 1) === 1,
    cycles: f(4, 16), type: f(20, 4), spec: f(24, 2), newType: f(26, 4), priv: f(30, 3),
  };
}

/** True when a callchain entry is a PERF_CONTEXT_* marker rather than an address. */
export function isCallchainContext(ip: bigint): boolean {
  if (typeof ip !== 'bigint') throw invalidArgument('isCallchainContext', 'ip', ip, 'a bigint callchain entry');
  return ip >= PERF_CONTEXT.MAX;
}

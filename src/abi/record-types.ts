/**
 * The record types a perf ring buffer carries (enum perf_event_type), as the
 * decoders in records.ts return them. Types only.
 */
import type { ReadResult } from './read-format';

/** The sample_id trailer (sample_id_all) and the identity fields of a sample. */
export interface SampleId {
  pid?: number;
  tid?: number;
  time?: bigint;
  id?: bigint;
  streamId?: bigint;
  cpu?: number;
  /** PERF_SAMPLE_IDENTIFIER */
  identifier?: bigint;
}

export interface BranchEntry {
  from: bigint;
  to: bigint;
  /** The flags word (mispred, predicted, in_tx, abort, cycles, type, spec, new_type, priv); see decodeBranchFlags. */
  flags: bigint;
}

export interface BranchStack {
  /** PERF_SAMPLE_BRANCH_HW_INDEX: the hardware index of the newest entry (-1 unknown). */
  hwIdx?: bigint;
  entries: BranchEntry[];
  /** PERF_SAMPLE_BRANCH_COUNTERS: one word per entry. */
  counters?: bigint[];
}

export interface SampledRegs {
  /** enum perf_sample_regs_abi: 0 none (no registers follow), 1 32-bit, 2 64-bit */
  abi: number;
  /** One value per bit of the mask, lowest bit first. */
  regs: bigint[];
}

export interface SampleRecord {
  kind: 'sample';
  type: 9;
  misc: number;
  size: number;
  identifier?: bigint;
  ip?: bigint;
  pid?: number;
  tid?: number;
  time?: bigint;
  addr?: bigint;
  id?: bigint;
  streamId?: bigint;
  cpu?: number;
  period?: bigint;
  read?: ReadResult;
  /** The callchain: PERF_CONTEXT_* markers and addresses (u64 words; a view of the input like the byte fields). */
  callchain?: BigUint64Array;
  raw?: Uint8Array;
  branchStack?: BranchStack;
  regsUser?: SampledRegs;
  stackUser?: { size: bigint; data: Uint8Array; dynSize: bigint };
  /** PERF_SAMPLE_WEIGHT */
  weight?: bigint;
  /** PERF_SAMPLE_WEIGHT_STRUCT */
  weightStruct?: { var1: number; var2: number; var3: number };
  dataSrc?: bigint;
  transaction?: bigint;
  regsIntr?: SampledRegs;
  physAddr?: bigint;
  cgroup?: bigint;
  dataPageSize?: bigint;
  codePageSize?: bigint;
  aux?: Uint8Array;
}

export interface Base<K extends string, T extends number> {
  kind: K;
  type: T;
  misc: number;
  size: number;
  /** Present when the layout says sample_id_all. */
  sampleId?: SampleId;
}

export interface MmapRecord extends Base<'mmap', 1> { pid: number; tid: number; addr: bigint; len: bigint; pgoff: bigint; filename: string }
export interface LostRecord extends Base<'lost', 2> { id: bigint; lost: bigint }
export interface CommRecord extends Base<'comm', 3> { pid: number; tid: number; comm: string; exec: boolean }
export interface ExitRecord extends Base<'exit', 4> { pid: number; ppid: number; tid: number; ptid: number; time: bigint }
export interface ThrottleRecord extends Base<'throttle', 5> { time: bigint; id: bigint; streamId: bigint }
export interface UnthrottleRecord extends Base<'unthrottle', 6> { time: bigint; id: bigint; streamId: bigint }
export interface ForkRecord extends Base<'fork', 7> { pid: number; ppid: number; tid: number; ptid: number; time: bigint }
export interface ReadRecord extends Base<'read', 8> { pid: number; tid: number; values: ReadResult }
export interface Mmap2Record extends Base<'mmap2', 10> {
  pid: number; tid: number; addr: bigint; len: bigint; pgoff: bigint;
  /** Inode form (no PERF_RECORD_MISC_MMAP_BUILD_ID). */
  maj?: number; min?: number; ino?: bigint; inoGeneration?: bigint;
  /** Build-id form (PERF_RECORD_MISC_MMAP_BUILD_ID): build_id_size bytes. */
  buildId?: Uint8Array;
  prot: number; flags: number; filename: string;
}
export interface AuxRecord extends Base<'aux', 11> { auxOffset: bigint; auxSize: bigint; flags: bigint }
export interface ItraceStartRecord extends Base<'itrace_start', 12> { pid: number; tid: number }
export interface LostSamplesRecord extends Base<'lost_samples', 13> { lost: bigint }
export interface SwitchRecord extends Base<'switch', 14> { out: boolean; preempt: boolean }
export interface SwitchCpuWideRecord extends Base<'switch_cpu_wide', 15> { out: boolean; preempt: boolean; nextPrevPid: number; nextPrevTid: number }
export interface NamespacesRecord extends Base<'namespaces', 16> { pid: number; tid: number; namespaces: { dev: bigint; inode: bigint }[] }
export interface KsymbolRecord extends Base<'ksymbol', 17> { addr: bigint; len: number; ksymType: number; flags: number; name: string }
export interface BpfEventRecord extends Base<'bpf_event', 18> { bpfType: number; flags: number; id: number; tag: Uint8Array }
export interface CgroupRecord extends Base<'cgroup', 19> { id: bigint; path: string }
export interface TextPokeRecord extends Base<'text_poke', 20> { addr: bigint; oldBytes: Uint8Array; newBytes: Uint8Array }
export interface AuxOutputHwIdRecord extends Base<'aux_output_hw_id', 21> { hwId: bigint }
export interface CallchainDeferredRecord extends Base<'callchain_deferred', 22> { cookie: bigint; ips: BigUint64Array }
/** A record type this library does not know: kept whole, header included. */
export interface UnknownRecord { kind: 'unknown'; type: number; misc: number; size: number; bytes: Uint8Array }

export type PerfRecord =
  | SampleRecord | MmapRecord | LostRecord | CommRecord | ExitRecord | ThrottleRecord | UnthrottleRecord
  | ForkRecord | ReadRecord | Mmap2Record | AuxRecord | ItraceStartRecord | LostSamplesRecord | SwitchRecord
  | SwitchCpuWideRecord | NamespacesRecord | KsymbolRecord | BpfEventRecord | CgroupRecord | TextPokeRecord
  | AuxOutputHwIdRecord | CallchainDeferredRecord | UnknownRecord;

export type RecordKind = PerfRecord['kind'];

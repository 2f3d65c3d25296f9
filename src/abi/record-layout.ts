/**
 * What a record decoder must know of the event that wrote the records
 * (RecordLayout), checked once and reduced to the numbers decoding needs
 * (CompiledLayout). Pure: no I/O.
 */
import { shownValue } from './args';
import { PERF_FORMAT, SAMPLE_TYPE_MAX_BIT } from './constants';
import { PerfcompatError } from '../errors';

/** What a decoder must know of the event that wrote the records. */
export interface RecordLayout {
  /** attr.sample_type */
  sampleType: bigint | number;
  /** attr.read_format (for PERF_SAMPLE_READ and PERF_RECORD_READ) */
  readFormat?: bigint | number;
  /** attr.sample_id_all: non-sample records end with a sample_id trailer */
  sampleIdAll?: boolean;
  /** attr.branch_sample_type (hw_index and counters change the branch stack layout) */
  branchSampleType?: bigint | number;
  /** attr.sample_regs_user (one u64 per set bit follows the abi word) */
  sampleRegsUser?: bigint | number;
  /** attr.sample_regs_intr */
  sampleRegsIntr?: bigint | number;
}

/* sample_type bits, as numbers (bit 24 is the highest; all fit in 32 bits). */
export const S_IP = 1 << 0, S_TID = 1 << 1, S_TIME = 1 << 2, S_ADDR = 1 << 3, S_READ = 1 << 4,
  S_CALLCHAIN = 1 << 5, S_ID = 1 << 6, S_CPU = 1 << 7, S_PERIOD = 1 << 8, S_STREAM_ID = 1 << 9,
  S_RAW = 1 << 10, S_BRANCH_STACK = 1 << 11, S_REGS_USER = 1 << 12, S_STACK_USER = 1 << 13,
  S_WEIGHT = 1 << 14, S_DATA_SRC = 1 << 15, S_IDENTIFIER = 1 << 16, S_TRANSACTION = 1 << 17,
  S_REGS_INTR = 1 << 18, S_PHYS_ADDR = 1 << 19, S_AUX = 1 << 20, S_CGROUP = 1 << 21,
  S_DATA_PAGE_SIZE = 1 << 22, S_CODE_PAGE_SIZE = 1 << 23, S_WEIGHT_STRUCT = 1 << 24;

const BRANCH_HW_INDEX = 1n << 17n;
const BRANCH_COUNTERS = 1n << 19n;

function popcount64(mask: bigint): number {
  let n = 0;
  let m = BigInt.asUintN(64, mask);
  while (m !== 0n) {
    m &= m - 1n;
    n++;
  }
  return n;
}

/** The numbers a decoder derives once per layout. */
export interface CompiledLayout {
  readonly sampleType: number;
  readonly readFormat: bigint;
  readonly readGroup: boolean;
  readonly sampleIdAll: boolean;
  readonly sampleIdSize: number;
  readonly hwIndex: boolean;
  readonly branchCounters: boolean;
  readonly regsUserCount: number;
  readonly regsIntrCount: number;
}

const compiledCache = new WeakMap<RecordLayout, CompiledLayout>();

function toBig(name: string, v: bigint | number | undefined): bigint {
  if (v === undefined) return 0n;
  if ((typeof v !== 'number' || !Number.isSafeInteger(v)) && typeof v !== 'bigint') {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `record layout ${name}: ${shownValue(v)} is not an integer or bigint`);
  }
  const b = BigInt(v);
  if (b < 0n || b >= 1n << 64n) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `record layout ${name}: ${shownValue(v)} is not a u64 (0 to 2^64-1)`);
  return b;
}

/** A layout argument of a decoder: compiled already (from compileLayout) or compiled now. */
export function layoutArg(layout: RecordLayout | CompiledLayout): CompiledLayout {
  if (layout !== null && typeof layout === 'object' && 'readGroup' in layout) return layout;
  return compileLayout(layout as RecordLayout);
}

/** Check a layout and derive what decoding needs (cached per layout object). */
export function compileLayout(layout: RecordLayout): CompiledLayout {
  if (layout === null || typeof layout !== 'object' || Array.isArray(layout)) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'record layout: expected { sampleType, readFormat?, sampleIdAll?, branchSampleType?, sampleRegsUser?, sampleRegsIntr? }');
  }
  const hit = compiledCache.get(layout);
  if (hit) return hit;
  const st = toBig('sampleType', layout.sampleType);
  if (st >> BigInt(SAMPLE_TYPE_MAX_BIT) !== 0n) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `record layout sampleType 0x${st.toString(16)}: bits above PERF_SAMPLE_WEIGHT_STRUCT (bit 24) are unknown; the layout of such samples cannot be decoded`);
  }
  const sampleType = Number(st);
  if ((sampleType & S_WEIGHT) && (sampleType & S_WEIGHT_STRUCT)) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'record layout sampleType: PERF_SAMPLE_WEIGHT and PERF_SAMPLE_WEIGHT_STRUCT are exclusive (the kernel refuses both)');
  }
  const readFormat = toBig('readFormat', layout.readFormat);
  const bst = toBig('branchSampleType', layout.branchSampleType);
  let sampleIdSize = 0;
  for (const bit of [S_TID, S_TIME, S_ID, S_STREAM_ID, S_CPU, S_IDENTIFIER]) if (sampleType & bit) sampleIdSize += 8;
  const compiled: CompiledLayout = {
    sampleType,
    readFormat,
    readGroup: (readFormat & PERF_FORMAT.GROUP) !== 0n,
    sampleIdAll: layout.sampleIdAll === true,
    sampleIdSize: layout.sampleIdAll === true ? sampleIdSize : 0,
    hwIndex: (bst & BRANCH_HW_INDEX) !== 0n,
    branchCounters: (bst & BRANCH_COUNTERS) !== 0n,
    regsUserCount: popcount64(toBig('sampleRegsUser', layout.sampleRegsUser)),
    regsIntrCount: popcount64(toBig('sampleRegsIntr', layout.sampleRegsIntr)),
  };
  compiledCache.set(layout, compiled);
  return compiled;
}


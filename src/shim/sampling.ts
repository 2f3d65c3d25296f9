/**
 * The public sampling API in one place: the Sampler, the ring-buffer reader,
 * the record decoders and tracepoint formats for RAW samples.
 */
export { Sampler, calibratePerfClock, cyclesToPerfTime } from './sampler';
export type { SamplerOptions, SamplerRecord, TimeBase, ClockName, MmapTimeFields } from './sampler';
export { RingBuffer } from './ring-buffer';
export type { RingBufferOptions, RingStats } from './ring-buffer';
export {
  decodeRecord, decodeRecords, compileLayout, decodeBranchFlags, isCallchainContext, recordKindName, PERF_EVENT_HEADER_SIZE,
} from '../abi/records';
export type {
  RecordLayout, CompiledLayout, PerfRecord, RecordKind, SampleRecord, SampleId, BranchEntry, BranchStack, SampledRegs,
  MmapRecord, LostRecord, CommRecord, ExitRecord, ThrottleRecord, UnthrottleRecord, ForkRecord, ReadRecord, Mmap2Record,
  AuxRecord, ItraceStartRecord, LostSamplesRecord, SwitchRecord, SwitchCpuWideRecord, NamespacesRecord, KsymbolRecord,
  BpfEventRecord, CgroupRecord, TextPokeRecord, AuxOutputHwIdRecord, CallchainDeferredRecord, UnknownRecord,
} from '../abi/records';
export { parseTracepointFormat, decodeTracepointRaw } from '../abi/tracepoint-format';
export type { TracepointFormat, TracepointField, TracepointValue } from '../abi/tracepoint-format';
export { readTracepointFormat } from '../env/tracepoint-format-file';

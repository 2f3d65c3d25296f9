/**
 * The contract between the record walker (records.ts) and the decoders of
 * each family of non-sample records: one function per PERF_RECORD_* type,
 * reading the payload between the header and the sample_id trailer.
 */
import type { Cursor } from './record-cursor';
import type { CompiledLayout } from './record-layout';
import type { PerfRecord } from './record-types';

/** The header fields every record repeats. */
export interface RecordHeader { misc: number; size: number }

export type BodyDecoder = (c: Cursor, h: RecordHeader, L: CompiledLayout) => PerfRecord;

/** Decoders of one family, by record type. */
export type BodyDecoders = Readonly<Record<number, BodyDecoder>>;

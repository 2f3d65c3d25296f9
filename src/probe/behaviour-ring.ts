/**
 * A minimal reader of a perf ring buffer for behaviour checks: walks record
 * headers (type, misc, size) from data_tail to data_head and counts them by
 * type. It reads nothing else of a record. Pure over the mapped memory.
 */
import { MMAP_PAGE } from '../abi/mmap-page';

export interface RingHeaders {
  /** Records seen, by PERF_RECORD_* type number. */
  byType: Map<number, number>;
  /** data_head when read. */
  head: bigint;
  /** A header that did not make sense (size 0 or past head), if any. */
  corrupt?: string;
}

/**
 * Count the record headers of a ring buffer mapping whose data area is
 * `dataSize` bytes starting at `dataOffset`. Does not consume (data_tail is
 * left alone), so calling it twice counts everything since the start.
 */
export function countRecordHeaders(buffer: ArrayBuffer, dataOffset: number, dataSize: number): RingHeaders {
  const view = new DataView(buffer);
  const head = view.getBigUint64(MMAP_PAGE.data_head.offset, true);
  const tail = view.getBigUint64(MMAP_PAGE.data_tail.offset, true);
  const out: RingHeaders = { byType: new Map(), head };
  const size = BigInt(dataSize);
  // Only the last dataSize bytes before head are still in the buffer.
  let pos = head - tail > size ? head - size : tail;
  if (head - tail > size) out.corrupt = `ring buffer overwritten: ${head - tail} bytes written into ${dataSize}`;
  while (pos < head) {
    const at = dataOffset + Number(pos % size);
    const type = view.getUint32(at, true);
    const recSize = view.getUint16(at + 6, true);
    if (recSize < 8 || pos + BigInt(recSize) > head) {
      out.corrupt = `record at ${pos}: size ${recSize} (type ${type}) does not fit before head ${head}`;
      break;
    }
    out.byType.set(type, (out.byType.get(type) ?? 0) + 1);
    pos += BigInt(recSize);
  }
  return out;
}

/**
 * struct perf_event_mmap_page: offsets of every field. Pure: no I/O.
 */
import { shownValue } from './args';
export const MMAP_PAGE = {
  version: { offset: 0, kind: 'u32' },
  compat_version: { offset: 4, kind: 'u32' },
  lock: { offset: 8, kind: 'u32' },
  index: { offset: 12, kind: 'u32' },
  offset: { offset: 16, kind: 's64' },
  time_enabled: { offset: 24, kind: 'u64' },
  time_running: { offset: 32, kind: 'u64' },
  capabilities: { offset: 40, kind: 'u64' },
  pmc_width: { offset: 48, kind: 'u16' },
  time_shift: { offset: 50, kind: 'u16' },
  time_mult: { offset: 52, kind: 'u32' },
  time_offset: { offset: 56, kind: 'u64' },
  time_zero: { offset: 64, kind: 'u64' },
  size: { offset: 72, kind: 'u32' },
  time_cycles: { offset: 80, kind: 'u64' },
  time_mask: { offset: 88, kind: 'u64' },
  data_head: { offset: 1024, kind: 'u64' },
  data_tail: { offset: 1032, kind: 'u64' },
  data_offset: { offset: 1040, kind: 'u64' },
  data_size: { offset: 1048, kind: 'u64' },
  aux_head: { offset: 1056, kind: 'u64' },
  aux_tail: { offset: 1064, kind: 'u64' },
  aux_offset: { offset: 1072, kind: 'u64' },
  aux_size: { offset: 1080, kind: 'u64' },
} as const;

export type MmapPageField = keyof typeof MMAP_PAGE;

/** Read one field of the control page from a view of it. */
export function readMmapPageField(view: DataView, field: MmapPageField): bigint | number {
  if (!(view instanceof DataView)) throw new RangeError(`readMmapPageField: view is ${shownValue(view)}; expected a DataView of the control page`);
  if (typeof field !== 'string' || !Object.prototype.hasOwnProperty.call(MMAP_PAGE, field)) {
    throw new RangeError(`readMmapPageField: field ${shownValue(field)} is not a control page field (a key of MMAP_PAGE, e.g. data_head)`);
  }
  const { offset, kind } = MMAP_PAGE[field];
  if (offset + (kind === 'u16' ? 2 : kind === 'u32' ? 4 : 8) > view.byteLength) {
    throw new RangeError(`mmap page field ${field} at ${offset} lies past the ${view.byteLength}-byte view`);
  }
  switch (kind) {
    case 'u16': return view.getUint16(offset, true);
    case 'u32': return view.getUint32(offset, true);
    case 's64': return view.getBigInt64(offset, true);
    case 'u64': return view.getBigUint64(offset, true);
  }
}

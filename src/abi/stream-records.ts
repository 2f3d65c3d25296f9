/**
 * Records about the stream itself and the data beside it: PERF_RECORD_LOST,
 * THROTTLE, UNTHROTTLE, READ, AUX, ITRACE_START, LOST_SAMPLES,
 * AUX_OUTPUT_HW_ID and CALLCHAIN_DEFERRED. Pure: no I/O.
 */
import type { BodyDecoders } from './record-body';
import { readValues } from './sample-record';

export const STREAM_RECORDS: BodyDecoders = {
  2: (c, h) => ({ kind: 'lost', type: 2, ...h, id: c.u64('id'), lost: c.u64('lost') }),
  5: (c, h) => {
    const time = c.u64('time'), id = c.u64('id'), streamId = c.u64('stream_id');
    return { kind: 'throttle', type: 5, ...h, time, id, streamId };
  },
  6: (c, h) => {
    const time = c.u64('time'), id = c.u64('id'), streamId = c.u64('stream_id');
    return { kind: 'unthrottle', type: 6, ...h, time, id, streamId };
  },
  8: (c, h, L) => {
    const pid = c.u32('pid'), tid = c.u32('tid');
    return { kind: 'read', type: 8, ...h, pid, tid, values: readValues(c, L) };
  },
  11: (c, h) => ({ kind: 'aux', type: 11, ...h, auxOffset: c.u64('aux_offset'), auxSize: c.u64('aux_size'), flags: c.u64('flags') }),
  12: (c, h) => ({ kind: 'itrace_start', type: 12, ...h, pid: c.u32('pid'), tid: c.u32('tid') }),
  13: (c, h) => ({ kind: 'lost_samples', type: 13, ...h, lost: c.u64('lost') }),
  21: (c, h) => ({ kind: 'aux_output_hw_id', type: 21, ...h, hwId: c.u64('hw_id') }),
  22: (c, h) => {
    const cookie = c.u64('cookie');
    return { kind: 'callchain_deferred', type: 22, ...h, cookie, ips: c.u64Array(c.count('nr', 8), 'ips') };
  },
};

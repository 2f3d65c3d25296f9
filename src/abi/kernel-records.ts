/**
 * Records about the kernel's own changes: PERF_RECORD_SWITCH,
 * SWITCH_CPU_WIDE, KSYMBOL, BPF_EVENT and TEXT_POKE. Pure: no I/O.
 */
import { PERF_RECORD_MISC } from './constants';
import { decodeError } from './record-cursor';
import type { BodyDecoders } from './record-body';

export const KERNEL_RECORDS: BodyDecoders = {
  14: (c, h) => ({
    kind: 'switch', type: 14, ...h,
    out: (h.misc & PERF_RECORD_MISC.SWITCH_OUT) !== 0, preempt: (h.misc & PERF_RECORD_MISC.SWITCH_OUT_PREEMPT) !== 0,
  }),
  15: (c, h) => ({
    kind: 'switch_cpu_wide', type: 15, ...h,
    out: (h.misc & PERF_RECORD_MISC.SWITCH_OUT) !== 0, preempt: (h.misc & PERF_RECORD_MISC.SWITCH_OUT_PREEMPT) !== 0,
    nextPrevPid: c.u32('next_prev_pid'), nextPrevTid: c.u32('next_prev_tid'),
  }),
  17: (c, h) => {
    const addr = c.u64('addr'), len = c.u32('len'), ksymType = c.u16('ksym_type'), flags = c.u16('flags');
    return { kind: 'ksymbol', type: 17, ...h, addr, len, ksymType, flags, name: c.cstringToEnd('name') };
  },
  18: (c, h) => {
    const bpfType = c.u16('type'), flags = c.u16('flags'), id = c.u32('id');
    return { kind: 'bpf_event', type: 18, ...h, bpfType, flags, id, tag: c.bytesOf(8, 'tag') };
  },
  20: (c, h) => {
    const addr = c.u64('addr'), oldLen = c.u16('old_len'), newLen = c.u16('new_len');
    const oldBytes = c.bytesOf(oldLen, 'old bytes');
    const newBytes = c.bytesOf(newLen, 'new bytes');
    // The bytes are padded to a multiple of 8 (the record size is u64-aligned).
    const pad = c.end - c.off;
    if (pad >= 8) throw decodeError(`${c.what}: ${pad} bytes after old_len ${oldLen} + new_len ${newLen} (padding is under 8)`);
    c.off = c.end;
    return { kind: 'text_poke', type: 20, ...h, addr, oldBytes, newBytes };
  },
};

/**
 * Records about tasks and their address spaces: PERF_RECORD_MMAP, MMAP2,
 * COMM, EXIT, FORK, NAMESPACES and CGROUP. Pure: no I/O.
 */
import { PERF_RECORD_MISC } from './constants';
import { decodeError } from './record-cursor';
import type { BodyDecoders } from './record-body';
import type { Mmap2Record } from './record-types';

export const TASK_RECORDS: BodyDecoders = {
  1: (c, h) => {
    const pid = c.u32('pid'), tid = c.u32('tid'), addr = c.u64('addr'), len = c.u64('len'), pgoff = c.u64('pgoff');
    return { kind: 'mmap', type: 1, ...h, pid, tid, addr, len, pgoff, filename: c.cstringToEnd('filename') };
  },
  3: (c, h) => {
    const pid = c.u32('pid'), tid = c.u32('tid');
    return { kind: 'comm', type: 3, ...h, pid, tid, comm: c.cstringToEnd('comm'), exec: (h.misc & PERF_RECORD_MISC.COMM_EXEC) !== 0 };
  },
  4: (c, h) => {
    const pid = c.u32('pid'), ppid = c.u32('ppid'), tid = c.u32('tid'), ptid = c.u32('ptid'), time = c.u64('time');
    return { kind: 'exit', type: 4, ...h, pid, ppid, tid, ptid, time };
  },
  7: (c, h) => {
    const pid = c.u32('pid'), ppid = c.u32('ppid'), tid = c.u32('tid'), ptid = c.u32('ptid'), time = c.u64('time');
    return { kind: 'fork', type: 7, ...h, pid, ppid, tid, ptid, time };
  },
  10: (c, h) => {
    const pid = c.u32('pid'), tid = c.u32('tid'), addr = c.u64('addr'), len = c.u64('len'), pgoff = c.u64('pgoff');
    const r: Mmap2Record = { kind: 'mmap2', type: 10, ...h, pid, tid, addr, len, pgoff, prot: 0, flags: 0, filename: '' };
    if (h.misc & PERF_RECORD_MISC.MMAP_BUILD_ID) {
      const n = c.u8('build_id_size');
      c.u8('__reserved_1');
      c.u16('__reserved_2');
      const id = c.bytesOf(20, 'build_id');
      if (n > 20) throw decodeError(`${c.what}: build_id_size ${n} exceeds the 20-byte build_id field`);
      r.buildId = id.subarray(0, n);
    } else {
      r.maj = c.u32('maj');
      r.min = c.u32('min');
      r.ino = c.u64('ino');
      r.inoGeneration = c.u64('ino_generation');
    }
    r.prot = c.u32('prot');
    r.flags = c.u32('flags');
    r.filename = c.cstringToEnd('filename');
    return r;
  },
  16: (c, h) => {
    const pid = c.u32('pid'), tid = c.u32('tid');
    const n = c.count('nr_namespaces', 16);
    const namespaces: { dev: bigint; inode: bigint }[] = [];
    for (let i = 0; i < n; i++) namespaces.push({ dev: c.u64(`namespace ${i} dev`), inode: c.u64(`namespace ${i} inode`) });
    return { kind: 'namespaces', type: 16, ...h, pid, tid, namespaces };
  },
  19: (c, h) => {
    const id = c.u64('id');
    return { kind: 'cgroup', type: 19, ...h, id, path: c.cstringToEnd('path') };
  },
};

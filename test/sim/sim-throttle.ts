/**
 * Throttled sampling on a simulated kernel, as a kernel under emulation does
 * it: a sampling event writes only one sample in `keep` periods, and each
 * work() that sampled adds a PERF_RECORD_THROTTLE and a
 * PERF_RECORD_UNTHROTTLE to its ring (optionally not, to model a kernel
 * that drops samples without saying so). A wrapper around SimKernel.work,
 * kept beside the simulator rather than in it.
 */
import { MMAP_PAGE, PERF_RECORD } from '../../src/abi';
import type { SimKernel } from './sim-kernel';
import type { SimEvent } from './sim-event';

/** Append one record of `words` to a forward ring at data_head; false when it does not fit. */
function appendRecord(ev: SimEvent, type: number, words: bigint[]): boolean {
  const ring = ev.ring!;
  const dv = new DataView(ring.buffer);
  const page = ring.length / (ring.dataPages + 1);
  const dataSize = ring.dataPages * page;
  const size = 8 + 8 * words.length;
  const head = dv.getBigUint64(MMAP_PAGE.data_head.offset, true);
  const tail = dv.getBigUint64(MMAP_PAGE.data_tail.offset, true);
  if (ring.writable && head - tail + BigInt(size) > BigInt(dataSize)) return false;
  const rec = new DataView(new ArrayBuffer(size));
  rec.setUint32(0, type, true);
  rec.setUint16(6, size, true);
  words.forEach((w, i) => rec.setBigUint64(8 + 8 * i, w, true));
  const data = new Uint8Array(ring.buffer, page, dataSize);
  const at = Number(head % BigInt(dataSize));
  for (let i = 0; i < size; i++) data[(at + i) % dataSize] = rec.getUint8(i);
  dv.setBigUint64(MMAP_PAGE.data_head.offset, head + BigInt(size), true);
  return true;
}

/** Make `kernel` throttle its sampling events to one sample in `keep` periods. */
export function throttleSampling(kernel: SimKernel, keep: number, opts: { records?: boolean } = {}): SimKernel {
  const inner = kernel.work.bind(kernel);
  kernel.work = (ns: number): void => {
    const sampling = kernel.openFds().map((fd) => kernel.event(fd))
      .filter((ev): ev is SimEvent => ev !== undefined && ev.samplePeriod > 0n && ev.ring !== undefined && ev.enabled);
    const periods = sampling.map((ev) => ev.samplePeriod);
    for (const ev of sampling) ev.samplePeriod *= BigInt(keep);
    try {
      inner(ns);
    } finally {
      sampling.forEach((ev, i) => { ev.samplePeriod = periods[i]!; });
    }
    if (opts.records === false) return;
    const now = BigInt(kernel.now());
    for (const ev of sampling) {
      appendRecord(ev, PERF_RECORD.THROTTLE!, [now, ev.id, ev.id]);
      appendRecord(ev, PERF_RECORD.UNTHROTTLE!, [now, ev.id, ev.id]);
    }
  };
  return kernel;
}

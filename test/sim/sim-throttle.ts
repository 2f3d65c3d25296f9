/**
 * Throttled sampling on a simulated kernel, as a kernel under emulation does
 * it: a sampling event writes only one sample in `keep` periods, and each
 * work() that sampled adds a PERF_RECORD_THROTTLE and a
 * PERF_RECORD_UNTHROTTLE to its ring (optionally not, to model a kernel
 * that drops samples without saying so). A wrapper around SimKernel.work,
 * kept beside the simulator rather than in it.
 */
import { PERF_RECORD } from '../../src/abi';
import { writeRecord } from './sim-ring';
import type { SimKernel } from './sim-kernel';
import type { SimEvent } from './sim-event';

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
      writeRecord(ev, PERF_RECORD.THROTTLE!, 0, [now, ev.id, ev.id]);
      writeRecord(ev, PERF_RECORD.UNTHROTTLE!, 0, [now, ev.id, ev.id]);
    }
  };
  return kernel;
}

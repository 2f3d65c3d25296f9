/**
 * The sampler's time base: clock names, what record times mean, the control
 * page's cycle conversion, and the calibration of the perf clock against
 * CLOCK_MONOTONIC for kernels without use_clockid.
 */
import { CLOCK_IDS, PERF_SAMPLE, PERF_TYPE, SW_EVENTS } from '../abi/constants';
import { smallestAttrSize } from '../abi/attr-layout';
import type { PerfRecord } from '../abi/records';
import type { TracepointValue } from '../abi/tracepoint-format';
import type { CapabilityMap } from '../model/capability-map';
import { isErr, type Kernel } from '../sys/kernel';
import { openScope } from '../open/scope';
import { isSupported, numericValue } from './map-lookup';
import { RingBuffer } from './ring-buffer';
import { perfIoctls } from './ioctl-requests';
import { timeArgs } from './entry-args';

export type ClockName = 'monotonic' | 'monotonic_raw' | 'realtime' | 'boottime' | 'tai';

/** Clock ids by name (CLOCK_IDS). */
export const CLOCK_BY_NAME: ReadonlyMap<string, number> = new Map(CLOCK_IDS.map((c) => [c.name, c.value]));

/**
 * What record times mean.
 * - clock: the kernel stamped them with `clock` (use_clockid).
 * - estimated: perf-clock stamps shifted by `offsetNs` onto CLOCK_MONOTONIC,
 *   measured at open with a context-switch sample bracketed by the monotonic
 *   clock (±`uncertaintyNs`). `mmap` carries the control page's time_zero /
 *   time_mult / time_shift when the kernel publishes them (cap_user_time_zero),
 *   for converting a cycle counter read in native code to the same perf clock.
 * - raw: the kernel's perf clock, not converted.
 */
export type TimeBase =
  | { kind: 'clock'; clock: ClockName }
  | { kind: 'estimated'; clock: 'monotonic'; offsetNs: bigint; uncertaintyNs: bigint; mmap?: MmapTimeFields }
  | { kind: 'raw'; clock: 'perf'; reason: string; mmap?: MmapTimeFields };

export interface MmapTimeFields {
  timeZero: bigint;
  timeMult: number;
  timeShift: number;
}

/** A record as the sampler hands it out: tracepoint samples may carry decoded fields. */
export type SamplerRecord = PerfRecord & { fields?: Record<string, TracepointValue> };

/** Convert a cycle-counter value to perf-clock ns by the control page (perf_event_mmap_page time_zero). */
export function cyclesToPerfTime(cycles: bigint, t: MmapTimeFields): bigint {
  timeArgs(cycles, t);
  const shift = BigInt(t.timeShift);
  const mult = BigInt(t.timeMult);
  const quot = cycles >> shift;
  const rem = cycles & ((1n << shift) - 1n);
  return t.timeZero + quot * mult + ((rem * mult) >> shift);
}

export function clockName(id: number): ClockName {
  return (CLOCK_IDS.find((c) => c.value === id)?.name ?? 'monotonic') as ClockName;
}

/** Move a record's time (sample time or sample_id time) by `offset` ns. */
export function shiftTime(r: SamplerRecord, offset: bigint): void {
  if (r.kind === 'unknown') return;
  if (r.kind === 'sample') {
    if (r.time !== undefined) r.time += offset;
    return;
  }
  if (r.sampleId?.time !== undefined) r.sampleId.time += offset;
}

/**
 * Pair the perf clock with CLOCK_MONOTONIC (process.hrtime): a software
 * context-switch event sampled with TIME on this thread records the moment
 * the thread sleeps in poll(); the monotonic clock read just before and after
 * brackets it. Returns the offset (monotonic − perf) of the tightest of a few tries.
 * The event opens through a fd scope, at the attr size the map allows
 * (attr.size when supported, else the smallest size holding the fields),
 * close-on-exec by PERF_FLAG_FD_CLOEXEC where the map says it works, else by fcntl.
 */
export function calibratePerfClock(kernel: Kernel, tries = 3, map?: CapabilityMap): { offsetNs: bigint; uncertaintyNs: bigint } | { reason: string } {
  const attr = {
    type: PERF_TYPE.SOFTWARE, config: SW_EVENTS.find((e) => e.name === 'context_switches')!.value,
    sample_period: 1, sample_type: PERF_SAMPLE.TIME!, exclude_kernel: 0, disabled: 1,
  };
  const mapSize = isSupported(map, 'attr.size') ? numericValue(map, 'attr.size') : undefined;
  const scope = openScope(kernel, { attrSize: mapSize ?? smallestAttrSize(attr), cloexec: isSupported(map, 'open_flags.fd_cloexec') ? 'flag' : 'fcntl' });
  try {
    const r = scope.open(attr);
    if (isErr(r)) return { reason: `no use_clockid, and the calibration event (software context-switches) did not open: ${r.errnoName}` };
    const page = kernel.pageSize();
    const m = scope.mmapPages(r.fd, 2, page);
    if (isErr(m)) return { reason: `no use_clockid, and the calibration ring did not map: ${m.errnoName}` };
    const ring = new RingBuffer(m.buffer, { pageSize: page });
    const ioctls = perfIoctls(kernel.arch);
    let best: { offsetNs: bigint; uncertaintyNs: bigint } | undefined;
    for (let i = 0; i < tries; i++) {
      kernel.ioctl(r.fd, ioctls.enable, 0);
      const before = process.hrtime.bigint();
      kernel.poll([], 1); // sleeps: a context switch of this thread
      const after = process.hrtime.bigint();
      kernel.ioctl(r.fd, ioctls.disable, 0);
      const recs = ring.readRecords({ sampleType: PERF_SAMPLE.TIME! });
      const first = recs.find((x) => x.kind === 'sample' && x.time !== undefined);
      if (!first || first.kind !== 'sample') continue;
      // The switch happens at the start of the sleep: between `before` and `after`, nearest `before`.
      const mid = (before + after) / 2n;
      const cand = { offsetNs: mid - first.time!, uncertaintyNs: (after - before) / 2n };
      if (!best || cand.uncertaintyNs < best.uncertaintyNs) best = cand;
    }
    return best ?? { reason: 'no use_clockid, and the calibration event recorded no context switch' };
  } finally {
    scope.dispose();
  }
}

/**
 * Sampler: open a sampling event through the adaptive open, map its ring
 * buffer and hand out decoded records — synchronously (drain()) or as an
 * async iterable woken by the kernel's wakeups without blocking Node.
 *
 * Every choice follows the capability map: sample_id_all, use_clockid and the
 * requested clock, write_backward. What could not be had is listed in
 * `adaptations`, and `timeBase` says what the times in the records mean.
 */
import { PERF_SAMPLE, CLOCK_IDS, PERF_TYPE, SW_EVENTS } from '../abi/constants';
import { encodeAttr } from '../abi/attr-codec';
import { errnoName } from '../abi/errno';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../abi/ioctl';
import { MMAP_PAGE } from '../abi/mmap-page';
import { compileLayout, CompiledLayout, PerfRecord, RecordLayout } from '../abi/records';
import { decodeTracepointRaw, TracepointFormat, TracepointValue } from '../abi/tracepoint-format';
import { PerfcompatError } from '../errors';
import { isErr, Kernel, Mapping, ReadableWatch } from '../sys/kernel';
import { logger } from '../sys/log';
import { realKernel } from '../sys/real-kernel';
import { entry, isMissing } from './map-lookup';
import { capabilitiesFor, openWith, PerfEvent } from './perf-event';
import { toSpec } from './resolve-spec';
import { readTracepointFormat } from '../env/tracepoint-format-file';
import { RingBuffer, RingStats } from './ring-buffer';
import { perfIoctls } from './ioctl-requests';
import type { Adaptation, EventSpec, MapSource, Policy } from './types';

const log = logger('sample');

export type ClockName = 'monotonic' | 'monotonic_raw' | 'realtime' | 'boottime' | 'tai';

export interface SamplerOptions extends MapSource {
  /** Task to sample: 0 = this process (default), -1 = every task on `cpu`. */
  pid?: number;
  /** CPU: -1 = any (default). */
  cpu?: number;
  /** Sample every `period` events (default 1_000_000 for cpu-clock/task-clock ns, 1 otherwise for tracepoints). */
  period?: number | bigint;
  /** Or aim for this many samples per second (attr.freq). */
  frequency?: number;
  /** sample_type bits (PERF_SAMPLE_* as bigint or number, or names like 'ip', 'tid'); default IP|TID|TIME|PERIOD. */
  sampleType?: bigint | number | readonly string[];
  /** Add PERF_SAMPLE_CALLCHAIN; an object also limits it. */
  callchain?: boolean | { maxStack?: number; excludeKernel?: boolean; excludeUser?: boolean };
  /** Data pages of the ring buffer: a power of two (default 16). */
  pages?: number;
  /** Wake the reader every n samples … */
  wakeupEvents?: number;
  /** … or every n bytes (default: a quarter of the data area). */
  watermark?: number;
  /** Clock for the time fields (use_clockid where the kernel has it). Default 'monotonic'; null for the perf clock. */
  clockid?: ClockName | null;
  /** Overwrite mode (write_backward): the ring keeps the newest records; read them with drain(). */
  backward?: boolean;
  /** Side-band records: mmap2/mmap, comm, task (fork/exit), context_switch. */
  sideband?: { mmap?: boolean; comm?: boolean; task?: boolean; contextSwitch?: boolean };
  /** Decode the RAW bytes of tracepoint samples by this format into `fields`. */
  rawFormat?: TracepointFormat;
  /** Start disabled (call enable()). */
  startDisabled?: boolean;
  policy?: Policy;
}

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

/** Convert a cycle-counter value to perf-clock ns by the control page (perf_event_mmap_page time_zero). */
export function cyclesToPerfTime(cycles: bigint, t: MmapTimeFields): bigint {
  const shift = BigInt(t.timeShift);
  const mult = BigInt(t.timeMult);
  const quot = cycles >> shift;
  const rem = cycles & ((1n << shift) - 1n);
  return t.timeZero + quot * mult + ((rem * mult) >> shift);
}

/** A record as the sampler hands it out: tracepoint samples may carry decoded fields. */
export type SamplerRecord = PerfRecord & { fields?: Record<string, TracepointValue> };

const DEFAULT_SAMPLE_TYPE = PERF_SAMPLE.IP! | PERF_SAMPLE.TID! | PERF_SAMPLE.TIME! | PERF_SAMPLE.PERIOD!;
const CLOCK_BY_NAME = new Map(CLOCK_IDS.map((c) => [c.name, c.value]));
const POLL_FALLBACK_MS = 20;

function sampleTypeOf(v: SamplerOptions['sampleType']): bigint {
  if (v === undefined) return DEFAULT_SAMPLE_TYPE;
  if (typeof v === 'bigint' || typeof v === 'number') {
    const b = BigInt(v);
    if (b < 0n) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `sampleType ${v}: must not be negative`);
    return b;
  }
  if (!Array.isArray(v)) throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'sampleType: expected a bit mask or an array of names like ["ip", "tid"]');
  let st = 0n;
  for (const n of v) {
    const bit = PERF_SAMPLE[String(n).toUpperCase() as Uppercase<string>];
    if (bit === undefined) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `sampleType "${n}": unknown; valid are ${Object.keys(PERF_SAMPLE).map((k) => k.toLowerCase()).join(', ')}`);
    st |= bit;
  }
  return st;
}

function positiveInt(name: string, v: number | bigint | undefined): void {
  if (v === undefined) return;
  if (typeof v === 'bigint' ? v <= 0n : !Number.isInteger(v) || v <= 0) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${name} ${String(v)}: expected a positive integer`);
  }
}

export class Sampler implements AsyncIterable<SamplerRecord> {
  readonly event: PerfEvent;
  readonly name: string;
  /** What the sampler and the shim changed from what was asked. */
  readonly adaptations: readonly Adaptation[];
  /** What the decoder was told about the records (from the attr as opened). */
  readonly layout: RecordLayout;
  readonly timeBase: TimeBase;
  readonly backward: boolean;
  private readonly compiled: CompiledLayout;
  private readonly kernel: Kernel;
  private readonly mapping: Mapping;
  private readonly ring: RingBuffer;
  private readonly rawFormat?: TracepointFormat;
  private readonly ioctlPause: number;
  private watch: ReadableWatch | undefined;
  private waiters: Array<() => void> = [];
  private isClosed = false;
  private readonly offset: bigint;

  constructor(spec: EventSpec | string, options: SamplerOptions = {}) {
    const o = options;
    positiveInt('period', o.period);
    positiveInt('frequency', o.frequency);
    positiveInt('wakeupEvents', o.wakeupEvents);
    positiveInt('watermark', o.watermark);
    if (o.period !== undefined && o.frequency !== undefined) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'period and frequency: give one of them, not both');
    }
    if (o.wakeupEvents !== undefined && o.watermark !== undefined) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'wakeupEvents and watermark: give one of them, not both');
    }
    const kernel = o.kernel ?? realKernel();
    const pageSize = kernel.pageSize();
    const pages = o.pages ?? 16;
    if (!Number.isInteger(pages) || pages < 1 || (pages & (pages - 1)) !== 0) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `pages ${pages}: the data area must be a power of two of pages (1, 2, 4, 8, …)`);
    }
    const clock = o.clockid === undefined ? 'monotonic' : o.clockid;
    if (clock !== null && !CLOCK_BY_NAME.has(clock)) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `clockid "${String(clock)}": valid are ${[...CLOCK_BY_NAME.keys()].join(', ')} or null for the perf clock`);
    }
    const map = capabilitiesFor(kernel, o);
    const adaptations: Adaptation[] = [];

    // Overwrite mode only where the map allows it.
    let backward = o.backward === true;
    if (backward && isMissing(map, 'attr.write_backward')) {
      const e = entry(map, 'attr.write_backward')!;
      if (o.policy?.strict) {
        throw new PerfcompatError('ERR_ADAPTATION_REFUSED', `backward (overwrite) ring buffer: attr.write_backward is ${e.status} here; without strict policy the sampler reads forward instead`);
      }
      backward = false;
      adaptations.push({ what: 'forward ring buffer instead of write_backward overwrite mode', why: `attr.write_backward is ${e.status} here: old records are not overwritten, new ones are lost when the ring is full`, featureId: 'attr.write_backward', ...(e.errno !== undefined ? { errno: e.errno, errnoName: e.errnoName ?? errnoName(e.errno) } : {}) });
    }

    let sampleType = sampleTypeOf(o.sampleType);
    const over: Record<string, number | bigint> = { disabled: 1, sample_id_all: 1 };
    if (o.callchain) {
      sampleType |= PERF_SAMPLE.CALLCHAIN!;
      if (typeof o.callchain === 'object') {
        if (o.callchain.maxStack !== undefined) over.sample_max_stack = o.callchain.maxStack;
        if (o.callchain.excludeKernel) over.exclude_callchain_kernel = 1;
        if (o.callchain.excludeUser) over.exclude_callchain_user = 1;
      }
    }
    over.sample_type = sampleType;
    if (o.frequency !== undefined) {
      over.freq = 1;
      over.sample_period = o.frequency;
    } else if (o.period !== undefined) {
      over.sample_period = BigInt(o.period);
    }
    const dataBytes = pages * pageSize;
    if (o.wakeupEvents !== undefined) {
      over.wakeup_events = o.wakeupEvents;
    } else {
      over.watermark = 1;
      over.wakeup_events = o.watermark ?? Math.max(1, Math.floor(dataBytes / 4));
    }
    if (clock !== null) {
      over.use_clockid = 1;
      over.clockid = CLOCK_BY_NAME.get(clock)!;
    }
    if (backward) over.write_backward = 1;
    const sb = o.sideband ?? {};
    if (sb.mmap) { over.mmap = 1; over.mmap2 = 1; }
    if (sb.comm) { over.comm = 1; over.comm_exec = 1; }
    if (sb.task) over.task = 1;
    if (sb.contextSwitch) over.context_switch = 1;

    const defaults: Record<string, number | bigint> = {};
    const resolved = toSpec(spec, map); // once: names read sysfs/tracefs
    const specObj = resolved.spec;
    if (o.period === undefined && o.frequency === undefined && specObj.sample_period === undefined && specObj.sample_freq === undefined) {
      defaults.sample_period = defaultPeriod(specObj);
    }

    const openOpts = { pid: o.pid ?? 0, cpu: o.cpu ?? -1, ...(o.policy ? { policy: o.policy } : {}), kernel };
    let event: PerfEvent;
    try {
      event = openWith(resolved, openOpts, { kernel, map, defaults, overrides: over });
    } catch (e) {
      // use_clockid is this sampler's own wish: with no map answer for it, one
      // EINVAL is the kernel's answer — retry once on the perf clock.
      if (!(e instanceof PerfcompatError) || e.errnoName !== 'EINVAL' || over.use_clockid !== 1
          || entry(map, 'attr.use_clockid') !== undefined || entry(map, `combo.clockid.${clock}`) !== undefined) throw e;
      delete over.use_clockid;
      delete over.clockid;
      event = openWith(resolved, openOpts, { kernel, map, defaults, overrides: over });
      adaptations.push({ what: 'dropped use_clockid', why: `the kernel refused use_clockid with CLOCK_${String(clock).toUpperCase()} (EINVAL) and the capability map had no answer for it: times use the perf clock`, errno: e.errno, errnoName: 'EINVAL' });
    }
    this.event = event;
    this.kernel = kernel;
    this.name = event.name;
    this.backward = backward;
    this.adaptations = Object.freeze([...adaptations, ...event.adaptations]);

    const a = event.attr;
    const big = (v: unknown): bigint => (v === undefined ? 0n : BigInt(v as number | bigint));
    this.layout = {
      sampleType: big(a.sample_type),
      readFormat: big(a.read_format),
      sampleIdAll: a.sample_id_all === 1,
      branchSampleType: big(a.branch_sample_type),
      sampleRegsUser: big(a.sample_regs_user),
      sampleRegsIntr: big(a.sample_regs_intr),
    };
    this.compiled = compileLayout(this.layout);
    if (o.rawFormat) {
      this.rawFormat = o.rawFormat;
    } else if (typeof spec === 'string' && Number(specObj.type) === PERF_TYPE.TRACEPOINT && (BigInt(this.layout.sampleType) & PERF_SAMPLE.RAW!) !== 0n) {
      // A tracepoint by name with RAW: decode by its format file when tracefs has it.
      const tp = /^([\w.-]+):([\w.-]+)/.exec(spec.trim());
      if (tp) {
        try {
          this.rawFormat = readTracepointFormat(`${tp[1]}:${tp[2]}`);
        } catch (e) {
          if (log.enabled) log('%s: no format file to decode RAW samples by (%s)', spec, (e as Error).message);
        }
      }
    }
    this.ioctlPause = perfIoctls(kernel.arch).pause_output;

    let mapping: Mapping | undefined;
    try {
      const m = kernel.mmap(event.fd, (1 + pages) * pageSize, backward ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, 0);
      if (isErr(m)) {
        const name = errnoName(m.errno);
        const hint = name === 'EPERM' || name === 'ENOMEM'
          ? `; ${pages} data pages may exceed kernel.perf_event_mlock_kb or RLIMIT_MEMLOCK — try fewer pages`
          : '';
        throw new PerfcompatError('ERR_KERNEL', `${event.name}: mmap of ${1 + pages} pages for the ring buffer failed with ${name}${hint}`, { errno: m.errno, errnoName: name });
      }
      mapping = m.mapping;
      this.ring = new RingBuffer(mapping.buffer, {
        pageSize,
        backward,
        pauseOutput: (paused) => this.pauseOutput(paused),
      });
      this.mapping = mapping;
      this.timeBase = a.use_clockid === 1
        ? { kind: 'clock', clock: clockName(Number(a.clockid)) }
        : this.estimateTimeBase();
      this.offset = this.timeBase.kind === 'estimated' ? this.timeBase.offsetNs : 0n;
      if (!o.startDisabled) event.enable();
    } catch (e) {
      if (mapping) kernel.munmap(mapping);
      event.close();
      throw e;
    }
    if (log.enabled) log('sampler %s fd=%d pages=%d backward=%s time=%s layout=%o', this.name, event.fd, pages, backward, this.timeBase.kind, this.layout);
  }

  /** Counters of what the ring buffer delivered and what was lost. */
  get stats(): Readonly<RingStats> {
    return this.ring.stats;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Total PERF_RECORD_LOST + PERF_RECORD_LOST_SAMPLES counts so far. */
  get lost(): bigint {
    return this.ring.stats.lost + this.ring.stats.lostSamples;
  }

  enable(): void {
    this.event.enable();
  }

  disable(): void {
    this.event.disable();
  }

  private pauseOutput(paused: boolean): void {
    const r = this.kernel.ioctl(this.event.fd, this.ioctlPause, paused ? 1 : 0);
    if (isErr(r)) {
      throw new PerfcompatError('ERR_KERNEL', `${this.name}: PERF_EVENT_IOC_PAUSE_OUTPUT failed with ${errnoName(r.errno)}`, { errno: r.errno, errnoName: errnoName(r.errno) });
    }
  }

  /** Everything in the ring now, decoded, oldest first. Never blocks. */
  drain(): SamplerRecord[] {
    if (this.isClosed) throw new PerfcompatError('ERR_CLOSED', `${this.name}: drain() after close()`);
    const recs = this.ring.readRecords(this.compiled) as SamplerRecord[];
    if (this.offset !== 0n || this.rawFormat) {
      for (const r of recs) {
        if (this.offset !== 0n) shiftTime(r, this.offset);
        if (this.rawFormat && r.kind === 'sample' && r.raw) r.fields = decodeTracepointRaw(this.rawFormat, r.raw);
      }
    }
    return recs;
  }

  /** Resolve when the fd polls readable (a wakeup), or on close. */
  private readable(): Promise<void> {
    return new Promise((resolve) => {
      if (this.isClosed) return resolve();
      this.waiters.push(resolve);
      if (this.kernel.watchReadable) {
        if (!this.watch) {
          this.watch = this.kernel.watchReadable(this.event.fd, () => this.wake());
        }
        this.watch.ref?.();
      } else {
        setTimeout(() => this.wake(), POLL_FALLBACK_MS);
      }
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    if (w.length > 0) this.watch?.unref?.();
    for (const r of w) r();
  }

  /**
   * Records as they arrive. Waits for the kernel's wakeups (watermark or
   * wakeupEvents) without blocking the event loop; ends after close().
   */
  async *[Symbol.asyncIterator](): AsyncIterator<SamplerRecord> {
    while (!this.isClosed) {
      const recs = this.drain();
      for (const r of recs) {
        if (this.isClosed) return; // close() ends the iteration at once
        yield r;
      }
      if (recs.length === 0 && !this.isClosed) await this.readable();
    }
  }

  /** Stop, unmap and close. Idempotent; pending iterations end. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    try {
      this.watch?.stop();
    } finally {
      this.watch = undefined;
      const r = this.kernel.munmap(this.mapping);
      if (isErr(r) && log.enabled) log('munmap of %s failed: %s', this.name, errnoName(r.errno));
      this.event.close();
      this.wake();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Without use_clockid: measure the perf clock against CLOCK_MONOTONIC with
   * a context-switch sample taken while the monotonic clock brackets it.
   */
  private estimateTimeBase(): TimeBase {
    const page = this.ring.controlPage();
    const caps = page.getBigUint64(MMAP_PAGE.capabilities.offset, true);
    const mmap: MmapTimeFields | undefined = (caps & (1n << 4n)) !== 0n
      ? { timeZero: page.getBigUint64(MMAP_PAGE.time_zero.offset, true), timeMult: page.getUint32(MMAP_PAGE.time_mult.offset, true), timeShift: page.getUint16(MMAP_PAGE.time_shift.offset, true) }
      : undefined;
    if ((BigInt(this.layout.sampleType) & PERF_SAMPLE.TIME!) === 0n) {
      return { kind: 'raw', clock: 'perf', reason: 'samples carry no time (PERF_SAMPLE_TIME not asked)', ...(mmap ? { mmap } : {}) };
    }
    const est = calibratePerfClock(this.kernel);
    if ('reason' in est) return { kind: 'raw', clock: 'perf', reason: est.reason, ...(mmap ? { mmap } : {}) };
    return { kind: 'estimated', clock: 'monotonic', offsetNs: est.offsetNs, uncertaintyNs: est.uncertaintyNs, ...(mmap ? { mmap } : {}) };
  }
}

function clockName(id: number): ClockName {
  return (CLOCK_IDS.find((c) => c.value === id)?.name ?? 'monotonic') as ClockName;
}

function defaultPeriod(spec: EventSpec): bigint {
  if (Number(spec.type) === PERF_TYPE.TRACEPOINT) return 1n;
  if (Number(spec.type) === PERF_TYPE.SOFTWARE) {
    const name = SW_EVENTS.find((e) => e.value === Number(spec.config ?? 0))?.name;
    if (name !== 'cpu_clock' && name !== 'task_clock') return 1n;
  }
  return 1_000_000n; // 1 ms of cpu-clock; a million events otherwise
}

function shiftTime(r: SamplerRecord, offset: bigint): void {
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
 */
export function calibratePerfClock(kernel: Kernel, tries = 3): { offsetNs: bigint; uncertaintyNs: bigint } | { reason: string } {
  const attr = encodeAttr({
    type: PERF_TYPE.SOFTWARE, config: SW_EVENTS.find((e) => e.name === 'context_switches')!.value,
    sample_period: 1, sample_type: PERF_SAMPLE.TIME!, exclude_kernel: 0, disabled: 1,
  }, { size: 64 });
  const r = kernel.perfEventOpen(attr, 0, -1, -1, 0);
  if (isErr(r)) return { reason: `no use_clockid, and the calibration event (software context-switches) did not open: ${errnoName(r.errno)}` };
  const page = kernel.pageSize();
  const m = kernel.mmap(r.fd, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
  if (isErr(m)) {
    kernel.close(r.fd);
    return { reason: `no use_clockid, and the calibration ring did not map: ${errnoName(m.errno)}` };
  }
  try {
    const ring = new RingBuffer(m.mapping.buffer, { pageSize: page });
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
    kernel.munmap(m.mapping);
    kernel.close(r.fd);
  }
}

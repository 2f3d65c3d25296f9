/**
 * Sampler: open a sampling event through the adaptive open, map its ring
 * buffer and hand out decoded records — synchronously (drain()) or as an
 * async iterable woken by the kernel's wakeups without blocking Node.
 *
 * Every choice follows the capability map: sample_id_all, use_clockid and the
 * requested clock, write_backward. What could not be had is listed in
 * `adaptations`, and `timeBase` says what the times in the records mean.
 */
import { PERF_SAMPLE, PERF_TYPE } from '../abi/constants';
import { errnoName } from '../abi/errno';
import { MMAP_PAGE } from '../abi/mmap-page';
import { compileLayout, CompiledLayout, RecordLayout } from '../abi/records';
import { decodeTracepointRaw, TracepointFormat } from '../abi/tracepoint-format';
import { PerfcompatError } from '../errors';
import type { CapabilityMap } from '../model/capability-map';
import { openScope, type FdScope } from '../open/scope';
import { isErr, Kernel, Mapping, ReadableWatch } from '../sys/kernel';
import { logger } from '../sys/log';
import { realKernel } from '../sys/real-kernel';
import { capabilitiesFor, openWith, PerfEvent } from './perf-event';
import { readTracepointFormat } from '../env/tracepoint-format-file';
import { RingBuffer, RingStats } from './ring-buffer';
import { perfIoctls } from './ioctl-requests';
import { checkSamplerOptions, planSampler, type SamplerOptions } from './sampler-plan';
import { calibratePerfClock, clockName, shiftTime, type MmapTimeFields, type SamplerRecord, type TimeBase } from './time-base';
import type { Adaptation, EventSpec } from './types';
import { dataPagesArg, optionsArg, specArg } from './entry-args';

export type { SamplerOptions } from './sampler-plan';
export { calibratePerfClock, cyclesToPerfTime } from './time-base';
export type { ClockName, MmapTimeFields, SamplerRecord, TimeBase } from './time-base';

const log = logger('sample');

const POLL_FALLBACK_MS = 20;

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
  /** Owns the event's fd and the ring's mapping. */
  private readonly scope: FdScope;
  private readonly mapping: Mapping;
  private readonly ring: RingBuffer;
  private readonly rawFormat?: TracepointFormat;
  private readonly ioctlPause: number;
  private watch: ReadableWatch | undefined;
  private waiters: Array<() => void> = [];
  private isClosed = false;
  private readonly offset: bigint;
  private readonly map: CapabilityMap | undefined;

  constructor(specIn: EventSpec | string, options?: SamplerOptions) {
    const spec = specArg('Sampler', specIn);
    const o = optionsArg('Sampler', options);
    const { pages: asked } = checkSamplerOptions(o); // bad options fail before the map is asked for
    const kernel = o.kernel ?? realKernel();
    dataPagesArg('Sampler', asked, kernel.pageSize());
    const map = capabilitiesFor(kernel, o);
    const plan = planSampler(spec, o, map, kernel.pageSize());
    const { resolved, defaults, overrides: over, pages, pageSize, backward } = plan;
    const specObj = resolved.spec;
    const adaptations: Adaptation[] = [...plan.reasons];

    const openOpts = { pid: o.pid ?? 0, cpu: o.cpu ?? -1, ...(o.policy ? { policy: o.policy } : {}), kernel };
    // One scope holds the event's fd and its ring: a failure anywhere below releases both.
    const scope = openScope(kernel);
    this.scope = scope;
    let event: PerfEvent | undefined;
    try {
      event = openWith(resolved, openOpts, { kernel, map, defaults, overrides: over, scope, retries: plan.retries });
      this.event = event;
      this.kernel = kernel;
      this.map = map;
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
      const rawFormat = o.rawFormat ?? this.tracepointFormat(spec, Number(specObj.type));
      if (rawFormat) this.rawFormat = rawFormat;
      this.ioctlPause = perfIoctls(kernel.arch).pause_output;

      const m = scope.mmap(event.fd, (1 + pages) * pageSize, { readOnly: backward });
      if (isErr(m)) {
        const name = m.errnoName;
        const hint = name === 'EPERM' || name === 'ENOMEM'
          ? `; ${pages} data pages may exceed kernel.perf_event_mlock_kb or RLIMIT_MEMLOCK — try fewer pages`
          : '';
        throw new PerfcompatError('ERR_KERNEL', `${event.name}: mmap of ${1 + pages} pages for the ring buffer failed with ${name}${hint}`, { errno: m.errno, errnoName: name });
      }
      this.mapping = m;
      this.ring = new RingBuffer(m.buffer, {
        pageSize,
        backward,
        pauseOutput: (paused) => this.pauseOutput(paused),
      });
      this.timeBase = a.use_clockid === 1
        ? { kind: 'clock', clock: clockName(Number(a.clockid)) }
        : this.estimateTimeBase();
      this.offset = this.timeBase.kind === 'estimated' ? this.timeBase.offsetNs : 0n;
      if (!o.startDisabled) event.enable();
    } catch (e) {
      scope.dispose(); // unmaps the ring, then closes the fd
      event?.close(); // marks the event closed (its fd is gone already)
      throw e;
    }
    if (log.enabled) log('sampler %s fd=%d pages=%d backward=%s time=%s layout=%o', this.name, event.fd, pages, backward, this.timeBase.kind, this.layout);
  }

  /** A tracepoint by name with RAW: its format file when tracefs has it, to decode the samples by. */
  private tracepointFormat(spec: EventSpec | string, type: number): TracepointFormat | undefined {
    if (typeof spec !== 'string' || type !== PERF_TYPE.TRACEPOINT || (BigInt(this.layout.sampleType) & PERF_SAMPLE.RAW!) === 0n) return undefined;
    const tp = /^([\w.-]+):([\w.-]+)/.exec(spec.trim());
    if (!tp) return undefined;
    try {
      return readTracepointFormat(`${tp[1]}:${tp[2]}`);
    } catch (e) {
      if (log.enabled) log('%s: no format file to decode RAW samples by (%s)', spec, (e as Error).message);
      return undefined;
    }
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
      this.scope.munmap(this.mapping);
      this.event.close();
      this.scope.dispose();
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
    const est = calibratePerfClock(this.kernel, 3, this.map);
    if ('reason' in est) return { kind: 'raw', clock: 'perf', reason: est.reason, ...(mmap ? { mmap } : {}) };
    return { kind: 'estimated', clock: 'monotonic', offsetNs: est.offsetNs, uncertaintyNs: est.uncertaintyNs, ...(mmap ? { mmap } : {}) };
  }
}

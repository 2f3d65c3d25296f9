/**
 * planSampler: every choice a Sampler makes before it opens anything —
 * option validation, the attr overrides and defaults, the clock plan, the
 * ring layout and what could not be had (reasons) — as one pure function of
 * the spec, the options and the capability map.
 */
import { PERF_SAMPLE, PERF_TYPE, SW_EVENTS } from '../abi/constants';
import { ERRNO, errnoName } from '../abi/errno';
import { shownValue } from '../abi/args';
import { PerfcompatError } from '../errors';
import type { CapabilityMap } from '../model/capability-map';
import type { TracepointFormat } from '../abi/tracepoint-format';
import { realKernel } from '../sys/real-kernel';
import { statusOfErrno } from '../model/errno-class';
import { entry, isMissing } from './map-lookup';
import type { OpenRetry } from './open-ladder';
import { toSpec } from './resolve-spec';
import { CLOCK_BY_NAME, type ClockName } from './time-base';
import type { Adaptation, EventSpec, MapSource, Policy } from './types';

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

export interface SamplerClockPlan {
  /** The clock asked for (null: the perf clock). */
  readonly clock: ClockName | null;
  /** The overrides ask for use_clockid. */
  readonly useClockid: boolean;
  /** The map has no answer on use_clockid or this clock: one EINVAL at open means "not here", retry on the perf clock. */
  readonly retryOnEinval: boolean;
}

export interface SamplerPlan {
  /** The spec as resolved against the map. */
  readonly resolved: ReturnType<typeof toSpec>;
  /** Attr fields under the spec (sample_period when neither side gave one). */
  readonly defaults: Record<string, number | bigint>;
  /** Attr fields over the spec. */
  readonly overrides: Record<string, number | bigint>;
  readonly clock: SamplerClockPlan;
  /** Ring layout: data pages, page size, data bytes, overwrite mode. */
  readonly pages: number;
  readonly pageSize: number;
  readonly dataBytes: number;
  readonly backward: boolean;
  /** What the map made the sampler change from what was asked. */
  readonly reasons: readonly Adaptation[];
  /** Asked again at open after a refusal (the open ladder): use_clockid dropped when retryOnEinval. */
  readonly retries: readonly OpenRetry[];
}

const DEFAULT_SAMPLE_TYPE = PERF_SAMPLE.IP! | PERF_SAMPLE.TID! | PERF_SAMPLE.TIME! | PERF_SAMPLE.PERIOD!;

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
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${name} ${shownValue(v)}: expected a positive integer`);
  }
}

/** Reject bad options (before anything is opened or probed); returns the data pages and the clock asked for. */
export function checkSamplerOptions(o: SamplerOptions): { pages: number; clock: ClockName | null } {
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
  const pages = o.pages ?? 16;
  if (!Number.isInteger(pages) || pages < 1 || (pages & (pages - 1)) !== 0) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `pages ${pages}: the data area must be a power of two of pages (1, 2, 4, 8, …)`);
  }
  const clock = o.clockid === undefined ? 'monotonic' : o.clockid;
  if (clock !== null && !CLOCK_BY_NAME.has(clock)) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `clockid "${String(clock)}": valid are ${[...CLOCK_BY_NAME.keys()].join(', ')} or null for the perf clock`);
  }
  return { pages, clock };
}

function defaultPeriod(spec: EventSpec): bigint {
  if (Number(spec.type) === PERF_TYPE.TRACEPOINT) return 1n;
  if (Number(spec.type) === PERF_TYPE.SOFTWARE) {
    const name = SW_EVENTS.find((e) => e.value === Number(spec.config ?? 0))?.name;
    if (name !== 'cpu_clock' && name !== 'task_clock') return 1n;
  }
  return 1_000_000n; // 1 ms of cpu-clock; a million events otherwise
}

/** Decide, from spec, options and map, what the Sampler asks the shim to open (page size: the options' kernel's). */
export function planSampler(spec: EventSpec | string, o: SamplerOptions, map: CapabilityMap | undefined, pageSize: number = (o.kernel ?? realKernel()).pageSize()): SamplerPlan {
  const { pages, clock } = checkSamplerOptions(o);
  const reasons: Adaptation[] = [];

  // Overwrite mode only where the map allows it.
  let backward = o.backward === true;
  if (backward && isMissing(map, 'attr.write_backward')) {
    const e = entry(map, 'attr.write_backward')!;
    if (o.policy?.strict) {
      throw new PerfcompatError('ERR_ADAPTATION_REFUSED', `backward (overwrite) ring buffer: attr.write_backward is ${e.status} here; without strict policy the sampler reads forward instead`);
    }
    backward = false;
    reasons.push({ what: 'forward ring buffer instead of write_backward overwrite mode', why: `attr.write_backward is ${e.status} here: old records are not overwritten, new ones are lost when the ring is full`, featureId: 'attr.write_backward', ...(e.errno !== undefined ? { errno: e.errno, errnoName: e.errnoName ?? errnoName(e.errno) } : {}) });
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
  const useClockid = clock !== null;
  const retryOnEinval = useClockid && entry(map, 'attr.use_clockid') === undefined && entry(map, `combo.clockid.${clock}`) === undefined;
  const retries: OpenRetry[] = retryOnEinval ? [clockRetry(clock!)] : [];
  return { resolved, defaults, overrides: over, clock: { clock, useClockid, retryOnEinval }, pages, pageSize, dataBytes, backward, reasons, retries };
}

/** use_clockid is the sampler's own wish: with no map answer for it, the kernel's EINVAL-class refusal means "not here" — ask again on the perf clock. */
function clockRetry(clock: ClockName): OpenRetry {
  return {
    when: statusOfErrno(ERRNO.EINVAL!),
    without: ['use_clockid', 'clockid'],
    adaptation: (r) => ({
      what: 'dropped use_clockid',
      why: `the kernel refused use_clockid with CLOCK_${clock.toUpperCase()} (${r.errnoName}) and the capability map had no answer for it: times use the perf clock`,
      errno: r.errno, errnoName: r.errnoName,
    }),
  };
}

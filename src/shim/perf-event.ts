/**
 * openEvent: the adaptive open. The attr is adapted to the capability map
 * before the syscall (see adapt.ts); the kernel is asked once. PerfEvent is
 * the open counter: read, enable, disable, reset, close (idempotent).
 */
import type { DecodedAttr } from '../abi/attr-codec';
import { errnoName } from '../abi/errno';
import { F_GETFD, F_SETFD, FD_CLOEXEC, PERF_IOC_FLAG_GROUP } from '../abi/ioctl';
import { PERF_FORMAT, PERF_TYPE } from '../abi/constants';
import { decodeRead, readSize, ReadResult } from '../abi/read-format';
import { PerfcompatError } from '../errors';
import type { CapabilityMap } from '../model/capability-map';
import { isErr, Kernel } from '../sys/kernel';
import { logger } from '../sys/log';
import { realKernel } from '../sys/real-kernel';
import { OpenPlan, planOpen } from './adapt';
import { counterValue } from './counter-value';
import { openedAttr } from './opened-attr';
import { perfIoctls, PerfIoctls } from './ioctl-requests';
import { defaultCapabilities, entry } from './map-lookup';
import { openError } from './open-error';
import { inputName, toSpec, type OpenInput } from './resolve-spec';
import { standInFor } from './software-standins';
import { statusOfErrno } from '../model/errno-class';
import type { Adaptation, CounterValue, EventSpec, MapSource, OpenOptions } from './types';

const log = logger('shim');

const TIMES = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;

export class PerfEvent {
  readonly fd: number;
  /** The event's name (the stand-in's name when substituted). */
  readonly name: string;
  /** The attr as opened. */
  readonly attr: DecodedAttr;
  readonly adaptations: readonly Adaptation[];
  /** The event asked for, when a software stand-in counts instead. */
  readonly substitutedFrom?: string;
  readonly unit?: string;
  readonly scale?: number;
  readonly readFormat: bigint;
  private readonly kernel: Kernel;
  private readonly ioctls: PerfIoctls;
  private isClosed = false;
  private buf: Buffer;
  private dv: DataView;

  /** @internal use openEvent. */
  constructor(kernel: Kernel, fd: number, plan: OpenPlan, meta: { scale?: number; unit?: string } = {}) {
    this.kernel = kernel;
    this.fd = fd;
    this.name = plan.name;
    // The plan's attr, as encoded: no decode of the bytes just built.
    this.attr = openedAttr(plan.attr, plan.size);
    this.adaptations = Object.freeze([...plan.adaptations]);
    if (plan.substitutedFrom !== undefined) this.substitutedFrom = plan.substitutedFrom;
    const unit = plan.unit ?? meta.unit;
    if (unit !== undefined) this.unit = unit;
    if (meta.scale !== undefined && plan.substitutedFrom === undefined) this.scale = meta.scale;
    this.readFormat = BigInt(plan.attr.read_format ?? 0n);
    this.ioctls = perfIoctls(kernel.arch);
    const group = (this.readFormat & PERF_FORMAT.GROUP) !== 0n;
    // A group read returns every member; 4 KiB holds a group of over 150 with every field.
    this.buf = Buffer.alloc(group ? 4096 : readSize(this.readFormat, 1));
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  private live(op: string): void {
    if (this.isClosed) throw new PerfcompatError('ERR_CLOSED', `${this.name}: ${op}() after close(); open the event again`);
  }

  /** read() decoded per read_format (for a group leader: every member). */
  read(): ReadResult {
    this.live('read');
    const r = this.kernel.read(this.fd, this.buf, this.buf.byteLength);
    if (isErr(r)) throw new PerfcompatError('ERR_KERNEL', `${this.name}: read failed with ${errnoName(r.errno)}`, { errno: r.errno, errnoName: errnoName(r.errno) });
    if (r.bytes === 0) return { values: [] }; // an unschedulable pinned event reads as end-of-file
    return decodeRead(this.buf, this.readFormat, r.bytes);
  }

  /** The count with its times and the multiplex-scaled estimate. */
  readCount(): CounterValue {
    this.live('readCount');
    if ((this.readFormat & (TIMES | PERF_FORMAT.GROUP)) === TIMES) {
      // Fast path: value, enabled, running[, id][, lost] straight from the buffer.
      const r = this.kernel.read(this.fd, this.buf, this.buf.byteLength);
      if (isErr(r)) throw new PerfcompatError('ERR_KERNEL', `${this.name}: read failed with ${errnoName(r.errno)}`, { errno: r.errno, errnoName: errnoName(r.errno) });
      if (r.bytes === 0) return counterValue(0n, 1n, 0n);
      if (r.bytes !== this.buf.byteLength) throw new PerfcompatError('ERR_DECODE', `${this.name}: read returned ${r.bytes} bytes, ${this.buf.byteLength} expected`);
      const lostOff = (this.readFormat & PERF_FORMAT.ID) !== 0n ? 32 : 24;
      const lost = (this.readFormat & PERF_FORMAT.LOST) !== 0n ? this.dv.getBigUint64(lostOff, true) : undefined;
      return counterValue(this.dv.getBigUint64(0, true), this.dv.getBigUint64(8, true), this.dv.getBigUint64(16, true), lost);
    }
    const res = this.read();
    const v = res.values[0];
    if (!v) return counterValue(0n, 1n, 0n);
    return counterValue(v.value, res.timeEnabled ?? 0n, res.timeRunning ?? res.timeEnabled ?? 0n, v.lost);
  }

  private ioctl(op: 'enable' | 'disable' | 'reset', group: boolean): void {
    this.live(op);
    const r = this.kernel.ioctl(this.fd, this.ioctls[op], group ? PERF_IOC_FLAG_GROUP : 0);
    if (isErr(r)) throw new PerfcompatError('ERR_KERNEL', `${this.name}: ioctl ${op} failed with ${errnoName(r.errno)}`, { errno: r.errno, errnoName: errnoName(r.errno) });
  }

  /** Enable the counter (with group = true: the whole group it leads). */
  enable(group = false): void { this.ioctl('enable', group); }
  disable(group = false): void { this.ioctl('disable', group); }
  reset(group = false): void { this.ioctl('reset', group); }

  /** Close the fd. Calling it again does nothing. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const r = this.kernel.close(this.fd);
    if (isErr(r) && log.enabled) log('close(%d) of %s failed: %s', this.fd, this.name, errnoName(r.errno));
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** The map to adapt to: the caller's, or the engine's for this kernel (with its environment and uname when given). */
export function capabilitiesFor(kernel: Kernel, source: MapSource = {}): CapabilityMap | undefined {
  return source.capabilities ?? defaultCapabilities(kernel, source);
}

export interface OpenInternals {
  kernel: Kernel;
  map: CapabilityMap | undefined;
  /** Attr fields the caller of the shim adds under the spec (EventSet: read_format, disabled, …). */
  defaults?: Record<string, number | bigint>;
  overrides?: Record<string, number | bigint>;
}

/**
 * Plan and open one event. The kernel is asked once; the only retry is the
 * software stand-in for a hardware event the map knew nothing about, and
 * only when the policy asks for it.
 */
export interface Prepared {
  plan: OpenPlan;
  spec: EventSpec;
  meta: { scale?: number; unit?: string };
}

/** Resolve and plan without opening (pure apart from name resolution). */
export function prepareOpen(input: OpenInput, opts: OpenOptions, inner: OpenInternals): Prepared {
  const { map } = inner;
  const resolved = toSpec(input, map);
  const spec: EventSpec = { ...inner.defaults, ...resolved.spec, ...inner.overrides } as EventSpec;
  const plan = planOpen(spec, { map, policy: opts.policy, environment: map?.environment });
  const meta: { scale?: number; unit?: string } = {};
  if (resolved.scale !== undefined) meta.scale = resolved.scale;
  if (resolved.unit !== undefined) meta.unit = resolved.unit;
  return { plan, spec, meta };
}

export function openWith(input: OpenInput, opts: OpenOptions, inner: OpenInternals): PerfEvent {
  const { kernel, map } = inner;
  const pid = opts.pid ?? 0;
  const cpu = opts.cpu ?? -1;
  const group = opts.group;
  if (group instanceof PerfEvent && group.closed) {
    throw new PerfcompatError('ERR_CLOSED', `${inputName(input)}: its group leader ${group.name} is closed`);
  }
  const groupFd = group ? group.fd : -1;
  const environment = map?.environment;
  const prepared = prepareOpen(input, opts, inner);
  const { spec, meta } = prepared;
  let plan = prepared.plan;
  let r = kernel.perfEventOpen(plan.bytes, pid, cpu, groupFd, plan.openFlags);
  if (isErr(r) && opts.policy?.fallback === 'software' && !opts.policy.strict && statusOfErrno(r.errno) === 'no-hardware'
      && Number(plan.attr.type) === PERF_TYPE.HARDWARE && plan.eventFeature !== undefined && entry(map, plan.eventFeature) === undefined) {
    // The map had no answer for this event; the kernel just gave one.
    const observed: CapabilityMap = {
      ...(map ?? ({ features: {} } as unknown as CapabilityMap)),
      features: { ...map?.features, [plan.eventFeature]: { status: 'no-hardware', errno: r.errno, errnoName: errnoName(r.errno), reason: 'observed by the shim at open' } },
    };
    const again = planOpen(spec, { map: observed, policy: opts.policy, environment });
    if (again.substitutedFrom !== undefined) {
      plan = again;
      r = kernel.perfEventOpen(plan.bytes, pid, cpu, groupFd, plan.openFlags);
    }
  }
  if (isErr(r)) {
    const hwName = plan.eventFeature?.startsWith('event.hardware.') ? plan.eventFeature.slice('event.hardware.'.length) : undefined;
    const standIn = hwName !== undefined && statusOfErrno(r.errno) === 'no-hardware' ? standInFor(hwName) : undefined;
    throw openError({
      name: plan.name, errno: r.errno, pid, cpu, environment, adaptations: plan.adaptations, size: plan.size,
      ...(r.attrSize !== undefined ? { attrSize: r.attrSize } : {}),
      ...(standIn && opts.policy?.fallback !== 'software' ? { hint: `With policy { fallback: 'software' } the shim counts ${standIn.label} instead (${standIn.note}).` } : {}),
    });
  }
  const fd = r.fd;
  if (plan.cloexecViaFcntl) {
    const cur = kernel.fcntl(fd, F_GETFD, 0);
    const set = isErr(cur) ? cur : kernel.fcntl(fd, F_SETFD, cur.value | FD_CLOEXEC);
    if (isErr(set)) {
      kernel.close(fd);
      throw new PerfcompatError('ERR_KERNEL', `${plan.name}: fcntl(FD_CLOEXEC) failed with ${errnoName(set.errno)}`, { errno: set.errno, errnoName: errnoName(set.errno) });
    }
  }
  if (log.enabled) log('opened %s fd=%d size=%d adaptations=%d', plan.name, fd, plan.size, plan.adaptations.length);
  return new PerfEvent(kernel, fd, plan, meta);
}

/**
 * Open one counter, adapted to the capability map. By default it counts this
 * process on any CPU, starts disabled (call enable()) and reads with
 * time_enabled/time_running so multiplexing can be scaled.
 */
export function openEvent(spec: EventSpec | string, opts: OpenOptions = {}): PerfEvent {
  const kernel = opts.kernel ?? realKernel();
  const map = capabilitiesFor(kernel, opts);
  const defaults: Record<string, number | bigint> = { read_format: TIMES };
  if (!opts.group) defaults.disabled = 1;
  return openWith(spec, opts, { kernel, map, defaults });
}


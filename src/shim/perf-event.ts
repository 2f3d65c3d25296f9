/**
 * openEvent: the adaptive open. The attr is adapted to the capability map
 * before the syscall (see adapt.ts), and opened through a fd scope
 * (src/open/scope): the scope owns the fd and its close-on-exec, and asks
 * again only as the open ladder (./open-ladder) decides from the refusal.
 * PerfEvent is the open counter: read, enable, disable, reset, close (idempotent).
 */
import type { DecodedAttr } from '../abi/attr-codec';
import { errnoName } from '../abi/errno';
import { PERF_IOC_FLAG_GROUP } from '../abi/ioctl';
import { PERF_FORMAT } from '../abi/constants';
import { decodeRead, readSize, ReadResult } from '../abi/read-format';
import { PerfcompatError } from '../errors';
import type { CapabilityMap } from '../model/capability-map';
import { openScope, type FdScope } from '../open/scope';
import { isErr, Kernel } from '../sys/kernel';
import { logger } from '../sys/log';
import { realKernel } from '../sys/real-kernel';
import { OpenPlan, planOpen } from './adapt';
import { OpenLadder, type OpenRetry } from './open-ladder';
import { counterValue } from './counter-value';
import { openedAttr } from './opened-attr';
import { perfIoctls, PerfIoctls } from './ioctl-requests';
import { defaultCapabilities } from './map-lookup';
import { openError } from './open-error';
import { optionsArg, specArg } from './entry-args';
import { inputName, toSpec, type OpenInput } from './resolve-spec';
import { standInFor } from './software-standins';
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
  /** The scope that owns the fd (the event's own, or its EventSet's or Sampler's). */
  private readonly scope: FdScope;
  private readonly ioctls: PerfIoctls;
  private isClosed = false;
  private buf: Buffer;
  private dv: DataView;

  /** @internal use openEvent. */
  constructor(scope: FdScope, fd: number, plan: OpenPlan, meta: { scale?: number; unit?: string } = {}) {
    const kernel = scope.kernel;
    this.scope = scope;
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
    this.scope.close(this.fd);
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
  /** The scope the fd belongs to (an EventSet's, a Sampler's); default: a scope of the event's own. */
  scope?: FdScope;
  /** The plan prepareOpen already made for this input with these internals (planned once). */
  prepared?: Prepared;
  /** Fields set on the plan after planning, which no decision of planOpen reads (a group member's disabled/enable_on_exec). */
  patch?: Record<string, number | bigint>;
  /** What to drop and ask again when the kernel refuses with a given meaning (Sampler: use_clockid). */
  retries?: readonly OpenRetry[];
}

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

function without(fields: Record<string, number | bigint> | undefined, drop: readonly string[]): Record<string, number | bigint> {
  const out = { ...fields };
  for (const f of drop) delete out[f];
  return out;
}

/**
 * Plan and open one event through a fd scope. After a refusal the kernel is
 * asked again only as the open ladder decides (a software stand-in the
 * policy asks for, a declared retry); retries of EINTR/EAGAIN follow ERRNO_CLASS.
 * On failure nothing stays open.
 */
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
  const prepared = inner.prepared ?? prepareOpen(input, opts, inner);
  const ladder = new OpenLadder({
    map, policy: opts.policy, retries: inner.retries, ...(inner.patch ? { patch: inner.patch } : {}),
    prepare: (drop) => prepareOpen(input, opts, { ...inner, overrides: without(inner.overrides, drop) }),
  }, prepared);
  const first = ladder.last.plan;
  const scope = inner.scope ?? openScope(kernel);
  // planOpen decided the close-on-exec path; the scope carries it out.
  const r = scope.openBytes(first.bytes, { pid, cpu, groupFd, flags: first.openFlags }, {
    cloexec: first.cloexecViaFcntl ? 'fcntl' : 'flag', orElse: (refusal) => ladder.next(refusal),
  });
  if (isErr(r)) {
    const plan = ladder.last.plan;
    if (r.call === 'fcntl') {
      throw new PerfcompatError('ERR_KERNEL', `${plan.name}: fcntl(FD_CLOEXEC) failed with ${r.errnoName}`, { errno: r.errno, errnoName: r.errnoName });
    }
    const hwName = plan.eventFeature?.startsWith('event.hardware.') ? plan.eventFeature.slice('event.hardware.'.length) : undefined;
    const standIn = hwName !== undefined && r.status === 'no-hardware' ? standInFor(hwName) : undefined;
    throw openError({
      name: plan.name, errno: r.errno, pid, cpu, environment, adaptations: plan.adaptations, size: plan.size,
      ...(r.attrSize !== undefined ? { attrSize: r.attrSize } : {}),
      ...(standIn && opts.policy?.fallback !== 'software' ? { hint: `With policy { fallback: 'software' } the shim counts ${standIn.label} instead (${standIn.note}).` } : {}),
    });
  }
  const plan = ladder.rungs[r.attempt]!.plan;
  if (log.enabled) log('opened %s fd=%d size=%d adaptations=%d', plan.name, r.fd, plan.size, plan.adaptations.length);
  try {
    return new PerfEvent(scope, r.fd, plan, prepared.meta);
  } catch (e) {
    scope.close(r.fd);
    throw e;
  }
}

/**
 * Open one counter, adapted to the capability map. By default it counts this
 * process on any CPU, starts disabled (call enable()) and reads with
 * time_enabled/time_running so multiplexing can be scaled.
 */
export function openEvent(specIn: EventSpec | string, optsIn?: OpenOptions): PerfEvent {
  const spec = specArg('openEvent', specIn);
  const opts = optionsArg('openEvent', optsIn);
  const kernel = opts.kernel ?? realKernel();
  const map = capabilitiesFor(kernel, opts);
  const defaults: Record<string, number | bigint> = { read_format: TIMES };
  if (!opts.group) defaults.disabled = 1;
  return openWith(spec, opts, { kernel, map, defaults });
}


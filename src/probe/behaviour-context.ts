/**
 * What a behaviour check works with: open events, ioctls, reads, a known
 * amount of work, stopped children and ring buffers — all through the Kernel
 * seam, every fd, mapping and child tracked and released by dispose(). A
 * failure of the kernel aborts the check with the matching verdict
 * (CheckAbort), so hooks stay short.
 */
import { AttrInput, decodeAttr } from '../abi/attr-codec';
import { HW_EVENTS, SW_EVENTS, PERF_TYPES, PERF_FORMAT, HW_CACHE_IDS, HW_CACHE_OPS, HW_CACHE_RESULTS, hwCacheConfig } from '../abi/constants';
import { archAbi, perfIoctl, PERF_IOC_FLAG_GROUP } from '../abi/ioctl';
import { openScope, type FdScope } from '../open/scope';
import { decodeRead, readSize, ReadResult } from '../abi/read-format';
import { errnoName } from '../abi/errno';
import { PerfcompatError } from '../errors';
import { isErr, Kernel } from '../sys/kernel';
import type { CapabilityMap } from '../model/capability-map';
import type { BehaviourCtx, EventDecl, OpenedEvent, BehaviourOpenOptions, Ring, Verdict, WorkDecl, WorkResult } from './behaviour-types';
export type { OpenedEvent, BehaviourOpenOptions, Ring } from './behaviour-types';
import { CheckAbort, errnoVerdict } from './behaviour-verdict';
import { CHILD_EXIT_TIMEOUT_MS, StoppedChild } from './behaviour-child';
import { countRecordHeaders } from './behaviour-ring';
import { resolveBaseForm } from './bases';
import { isTransient } from '../model/errno-class';
import { workloadOf, type Workload } from './workload';
export { spin, loop, loopNsPerIteration, cpuClock, spinCpu, touchPages } from './workload';

/** Types whose events land on the CPU's PMU: PERF_TYPE_HARDWARE, PERF_TYPE_HW_CACHE, PERF_TYPE_RAW. */
const CORE_PMU_TYPES: ReadonlySet<number> = new Set([0, 3, 4]);

const DEFAULT_READ_FORMAT = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING | PERF_FORMAT.ID;

function lookup(table: ReadonlyArray<{ name: string; value: number }>, name: string): number | undefined {
  const key = name.toLowerCase().replace(/-/g, '_');
  return table.find((t) => t.name === key)?.value;
}

/** Resolve an EventDecl's type/config names into attr numbers. */
export function eventAttr(ev: EventDecl): { attr: AttrInput; label: string } {
  if (ev === null || typeof ev !== 'object') {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event: expected an object { type, config, ...attr fields }, got ${String(ev)}`);
  }
  const { type, config, ...rest } = ev;
  let typeNum: number | undefined;
  let typeName: string;
  if (typeof type === 'number') {
    typeNum = type;
    typeName = PERF_TYPES.find((t) => t.value === type)?.name ?? `type${type}`;
  } else {
    typeNum = typeof type === 'string' ? lookup(PERF_TYPES, type) : undefined;
    typeName = String(type);
    if (typeNum === undefined) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event type "${String(type)}": expected a number or one of ${PERF_TYPES.map((t) => t.name).join(', ')}`);
    }
  }
  let cfg: number | bigint | undefined;
  if (typeof config === 'string') {
    if (typeNum === 0) cfg = lookup(HW_EVENTS, config);
    else if (typeNum === 1) cfg = lookup(SW_EVENTS, config);
    else if (typeNum === 3) {
      const [c, o, r] = config.toLowerCase().split('.');
      const ci = c !== undefined ? lookup(HW_CACHE_IDS, c) : undefined;
      const oi = o !== undefined ? lookup(HW_CACHE_OPS, o) : undefined;
      const ri = r !== undefined ? lookup(HW_CACHE_RESULTS, r) : undefined;
      if (ci !== undefined && oi !== undefined && ri !== undefined) cfg = hwCacheConfig(ci, oi, ri);
    } else if (/^(0x[0-9a-f]+|\d+)$/i.test(config)) cfg = BigInt(config);
    if (cfg === undefined) {
      const valid = typeNum === 0 ? HW_EVENTS.map((e) => e.name).join(', ')
        : typeNum === 1 ? SW_EVENTS.map((e) => e.name).join(', ')
          : typeNum === 3 ? '<cache>.<op>.<result>, e.g. l1d.read.miss' : 'a number';
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event config "${config}" for type ${typeName}: expected ${valid}`);
    }
  } else if (typeof config === 'number' || typeof config === 'bigint') {
    cfg = config;
  } else {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `event config for type ${typeName}: missing; expected a name or a number`);
  }
  const label = `${typeName}/${typeof config === 'string' ? config : `0x${BigInt(cfg).toString(16)}`}`;
  return { attr: { ...rest, type: typeNum, config: cfg }, label };
}

export interface ContextOptions {
  capabilities?: CapabilityMap;
  /** The work checks count; default the kernel's own (workloadOf). */
  workload?: Workload;
}

export class BehaviourContext implements BehaviourCtx {
  readonly kernel: Kernel;
  readonly capabilities?: CapabilityMap;
  readonly workload: Workload;
  /** Every fd and ring this context made. */
  private readonly scope: FdScope;
  private readonly children: StoppedChild[] = [];
  private readonly ioctls: Record<string, number>;

  constructor(kernel: Kernel, opts: ContextOptions = {}) {
    this.kernel = kernel;
    this.scope = openScope(kernel);
    this.workload = opts.workload ?? workloadOf(kernel);
    if (opts.capabilities) this.capabilities = opts.capabilities;
    const arch = archAbi(kernel.arch);
    this.ioctls = Object.fromEntries(['enable', 'disable', 'reset', 'refresh', 'period', 'id'].map((n) => [n, perfIoctl(n, arch)]));
  }

  /**
   * Open an event (disabled unless told otherwise). An errno aborts the check
   * with its classification (ENOENT → no-hardware Skip, EACCES → denied Skip, …).
   */
  open(ev: EventDecl, o: BehaviourOpenOptions = {}): OpenedEvent {
    const r = this.tryOpen(ev, o);
    if ('status' in r) throw new CheckAbort(r);
    return r;
  }

  /**
   * Like open, but an errno comes back as a verdict instead of aborting.
   * Kernel space is counted when this caller may (a context switch happens in
   * the kernel); when perf_event_paranoid refuses it (EACCES/EPERM) the event
   * is opened again for user space only, unless the declaration chose.
   */
  tryOpen(ev: EventDecl, o: BehaviourOpenOptions = {}): OpenedEvent | Verdict {
    const { attr, label } = eventAttr(ev);
    const readFormat = o.readFormat ?? (DEFAULT_READ_FORMAT | (o.groupRead ? PERF_FORMAT.GROUP : 0n));
    const full: AttrInput = { ...attr, read_format: readFormat, disabled: (o.disabled ?? !o.group) ? 1 : 0, ...o.attr };
    // No PERF_FLAG_FD_CLOEXEC (3.14+): the seam makes every fd close-on-exec on any kernel.
    const chose = full.exclude_kernel !== undefined || full.exclude_hv !== undefined;
    const form = chose ? undefined : this.coreForm(full);
    const res = this.scope.open(form ? { ...form, ...full } : full, { pid: o.pid ?? 0, cpu: o.cpu ?? -1, groupFd: o.group?.fd ?? -1 }, { userOnlyOnDenied: !chose });
    if (isErr(res)) return errnoVerdict(`open ${label}${o.group ? ` in the group of ${o.group.label}` : ''}`, res.errno);
    if (o.group) o.group.members += 1;
    return { fd: res.fd, label, readFormat, members: 1, attr: decodeAttr(res.sent) };
  }

  /** undefined: not asked yet; null: the hardware base opens in no form here. */
  private hardwareForm: AttrInput | null | undefined;

  /**
   * An event of the CPU's PMU (hardware, cache, raw) is opened with the
   * exclusion bits of the hardware base's least restricted form (bases.ts
   * resolveBaseForm), as the probes are: exclude_guest where Apple's
   * m1_pmu_set_event_filter refuses an event without it, none where the
   * caller may count the kernel (riscv_pmu_legacy: PERF_PMU_CAP_NO_EXCLUDE).
   */
  private coreForm(attr: AttrInput): AttrInput | undefined {
    if (!CORE_PMU_TYPES.has(Number(attr.type))) return undefined;
    if (this.hardwareForm === undefined) {
      const r = resolveBaseForm('hardware', (a) => {
        const o = this.scope.open(a, {}, { retry: true });
        if (isErr(o)) return o.errno;
        this.scope.close(o.fd);
        return undefined;
      });
      const bits: Record<string, number | bigint | boolean> = {};
      for (const f of ['exclude_kernel', 'exclude_hv', 'exclude_guest'] as const) if (r.attr[f] !== undefined) bits[f] = r.attr[f];
      // A fault of the moment is asked again at the next open.
      if (r.errno === undefined) this.hardwareForm = bits;
      else if (!isTransient(r.errno)) this.hardwareForm = null;
      else return undefined;
    }
    return this.hardwareForm ?? undefined;
  }

  private ioctl(ev: OpenedEvent, name: string, arg?: number | bigint | Uint8Array): number {
    const r = this.kernel.ioctl(ev.fd, this.ioctls[name]!, arg);
    if (isErr(r)) throw new CheckAbort(errnoVerdict(`ioctl ${name.toUpperCase()} on ${ev.label}`, r.errno));
    return r.value;
  }

  enable(ev: OpenedEvent, group = false): void { this.ioctl(ev, 'enable', group ? PERF_IOC_FLAG_GROUP : 0); }
  disable(ev: OpenedEvent, group = false): void { this.ioctl(ev, 'disable', group ? PERF_IOC_FLAG_GROUP : 0); }
  reset(ev: OpenedEvent, group = false): void { this.ioctl(ev, 'reset', group ? PERF_IOC_FLAG_GROUP : 0); }
  refresh(ev: OpenedEvent, n: number): void { this.ioctl(ev, 'refresh', n); }

  period(ev: OpenedEvent, period: bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(period);
    this.ioctl(ev, 'period', b);
  }

  /** PERF_EVENT_IOC_ID. */
  id(ev: OpenedEvent): bigint {
    const b = Buffer.alloc(8);
    this.ioctl(ev, 'id', b);
    return b.readBigUInt64LE(0);
  }

  /**
   * read() and decode. A read that returns a different number of bytes than
   * the read_format promises is itself the answer: the check is broken.
   */
  read(ev: OpenedEvent): ReadResult {
    const r = this.readUnlessError(ev);
    if (r) return r;
    throw new CheckAbort({ status: 'broken', reason: `read ${ev.label}: 0 bytes (the event is in error state)`, measured: { bytes: 0 } });
  }

  readUnlessError(ev: OpenedEvent): ReadResult | undefined {
    const expected = readSize(ev.readFormat, ev.members);
    // Room for more than asked: a kernel returning more members than opened is a finding too.
    const buf = Buffer.alloc(expected + 8 * 16);
    const r = this.kernel.read(ev.fd, buf);
    if (isErr(r)) throw new CheckAbort(errnoVerdict(`read ${ev.label}`, r.errno));
    if (r.bytes === 0) return undefined;
    if (r.bytes !== expected) {
      throw new CheckAbort({
        status: 'broken',
        reason: `read ${ev.label}: ${r.bytes} bytes, expected ${expected} for ${ev.members} member(s) with read_format 0x${ev.readFormat.toString(16)}`,
        measured: { bytes: r.bytes, expectedBytes: expected },
      });
    }
    return decodeRead(buf, ev.readFormat, r.bytes);
  }

  /** Map a ring buffer of 1 + dataPages pages on a sampling event. */
  ring(ev: OpenedEvent, dataPages = 8): Ring {
    const page = this.kernel.pageSize();
    const mapping = this.scope.mmap(ev.fd, (1 + dataPages) * page);
    if (isErr(mapping)) throw new CheckAbort(errnoVerdict(`mmap ring buffer of ${ev.label}`, mapping.errno));
    return { mapping, headers: () => countRecordHeaders(mapping.buffer, page, dataPages * page) };
  }

  /** poll() one event for POLLIN without waiting; true when it is readable. */
  readable(ev: OpenedEvent): boolean {
    const r = this.kernel.poll([{ fd: ev.fd, events: 1 /* POLLIN */ }], 0);
    if (isErr(r)) throw new CheckAbort(errnoVerdict(`poll ${ev.label}`, r.errno));
    return r.ready > 0 && ((r.revents[0] ?? 0) & 1) !== 0;
  }

  /** Do the declared work; returns what it measured. */
  work(decl: WorkDecl = {}): WorkResult {
    if (decl.exec !== undefined) this.needChildren();
    return this.workload.run(decl);
  }

  /**
   * Iterations of the fixed busy loop (work { iterations }) that take about
   * `ms` here (the workload's calibration). The work is then a fixed amount
   * whatever the CPU accounting's granularity: checks compare counts of N
   * and k·N iterations, not counts against a clock.
   */
  iterationsFor(ms: number): number {
    return this.workload.iterationsFor(ms);
  }

  /**
   * /proc/sys/kernel/perf_event_max_sample_rate (samples per second the
   * kernel allows; it lowers it itself when sampling interrupts take long,
   * e.g. under emulation), or undefined when the workload does not know it.
   */
  maxSampleRate(): number | undefined {
    return this.workload.maxSampleRate();
  }

  private needChildren(): void {
    const why = this.workload.cannotExec;
    if (why !== undefined) throw new CheckAbort({ status: 'untestable', reason: why });
  }

  /** A child stopped before it execs argv; open events on its pid, then resume() it. */
  stoppedChild(argv: readonly string[]): StoppedChild {
    this.needChildren();
    try {
      const c = StoppedChild.start(argv);
      this.children.push(c);
      return c;
    } catch (e) {
      throw new CheckAbort({ status: 'untestable', reason: e instanceof Error ? e.message : String(e) });
    }
  }

  readonly childExitTimeoutMs = CHILD_EXIT_TIMEOUT_MS;

  /** A small CPU-bound program for children: the shell counting to n. */
  static shellSpin(n: number): string[] {
    return ['/bin/sh', '-c', `i=0; while [ $i -lt ${Math.floor(n)} ]; do i=$((i+1)); done`];
  }

  shellSpin(n: number): string[] {
    return BehaviourContext.shellSpin(n);
  }

  /** Close every fd, unmap every ring, kill every child still running. */
  dispose(): void {
    this.scope.dispose();
    for (const c of this.children.splice(0)) c.kill();
  }

  /** Verdict helpers for hooks. */
  ok(measured?: Verdict['measured'], value?: Verdict['value']): Verdict {
    const v: Verdict = { status: 'supported' };
    if (measured) v.measured = measured;
    if (value !== undefined) v.value = value;
    return v;
  }

  broken(reason: string, measured?: Verdict['measured']): Verdict {
    return measured ? { status: 'broken', reason, measured } : { status: 'broken', reason };
  }

  errnoName(errno: number): string {
    return errnoName(errno);
  }
}

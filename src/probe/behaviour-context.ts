/**
 * What a behaviour check works with: open events, ioctls, reads, a known
 * amount of work, stopped children and ring buffers — all through the Kernel
 * seam, every fd, mapping and child tracked and released by dispose(). A
 * failure of the kernel aborts the check with the matching verdict
 * (CheckAbort), so hooks stay short.
 */
import { spawnSync } from 'node:child_process';
import { AttrInput, DecodedAttr, decodeAttr } from '../abi/attr-codec';
import { HW_EVENTS, SW_EVENTS, PERF_TYPES, PERF_FORMAT, HW_CACHE_IDS, HW_CACHE_OPS, HW_CACHE_RESULTS, hwCacheConfig } from '../abi/constants';
import { archAbi, perfIoctl, PERF_IOC_FLAG_GROUP } from '../abi/ioctl';
import { openScope, type FdScope } from '../open/scope';
import { decodeRead, readSize, ReadResult } from '../abi/read-format';
import { errnoName } from '../abi/errno';
import { PerfcompatError } from '../errors';
import { isErr, Kernel, Mapping } from '../sys/kernel';
import type { CapabilityMap } from '../model/capability-map';
import type { BehaviourCtx, EventDecl, OpenedEvent, OpenOptions, Ring, Verdict, WorkDecl, WorkResult } from './behaviour-types';
export type { OpenedEvent, OpenOptions, Ring } from './behaviour-types';
import { CheckAbort, errnoVerdict } from './behaviour-verdict';
import { StoppedChild } from './behaviour-child';
import { countRecordHeaders, RingHeaders } from './behaviour-ring';
import { readMaxSampleRate } from '../env/sample-rate';

/** Simulated nanoseconds per loop iteration of work { iterations } on a simulated kernel. */
export const SIM_NS_PER_ITERATION = 1;

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
}

export class BehaviourContext implements BehaviourCtx {
  readonly kernel: Kernel;
  readonly capabilities?: CapabilityMap;
  /** Every fd and ring this context made. */
  private readonly scope: FdScope;
  private readonly children: StoppedChild[] = [];
  private readonly ioctls: Record<string, number>;

  constructor(kernel: Kernel, opts: ContextOptions = {}) {
    this.kernel = kernel;
    this.scope = openScope(kernel);
    if (opts.capabilities) this.capabilities = opts.capabilities;
    const arch = archAbi(kernel.arch);
    this.ioctls = Object.fromEntries(['enable', 'disable', 'reset', 'refresh', 'period', 'id'].map((n) => [n, perfIoctl(n, arch)]));
  }

  /**
   * Open an event (disabled unless told otherwise). An errno aborts the check
   * with its classification (ENOENT → no-hardware Skip, EACCES → denied Skip, …).
   */
  open(ev: EventDecl, o: OpenOptions = {}): OpenedEvent {
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
  tryOpen(ev: EventDecl, o: OpenOptions = {}): OpenedEvent | Verdict {
    const { attr, label } = eventAttr(ev);
    const readFormat = o.readFormat ?? (DEFAULT_READ_FORMAT | (o.groupRead ? PERF_FORMAT.GROUP : 0n));
    const full: AttrInput = { ...attr, read_format: readFormat, disabled: (o.disabled ?? !o.group) ? 1 : 0, ...o.attr };
    // No PERF_FLAG_FD_CLOEXEC (3.14+): the seam makes every fd close-on-exec on any kernel.
    const chose = full.exclude_kernel !== undefined || full.exclude_hv !== undefined;
    const res = this.scope.open(full, { pid: o.pid ?? 0, cpu: o.cpu ?? -1, groupFd: o.group?.fd ?? -1 }, { userOnlyOnDenied: !chose });
    if (isErr(res)) return errnoVerdict(`open ${label}${o.group ? ` in the group of ${o.group.label}` : ''}`, res.errno);
    if (o.group) o.group.members += 1;
    return { fd: res.fd, label, readFormat, members: 1, attr: decodeAttr(res.sent) };
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
    const expected = readSize(ev.readFormat, ev.members);
    // Room for more than asked: a kernel returning more members than opened is a finding too.
    const buf = Buffer.alloc(expected + 8 * 16);
    const r = this.kernel.read(ev.fd, buf);
    if (isErr(r)) throw new CheckAbort(errnoVerdict(`read ${ev.label}`, r.errno));
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

  /**
   * A simulated kernel (test/sim's SimKernel) counts simulated work: it has a
   * work(ns) method that advances its clock. Real kernels have none.
   */
  get simulated(): boolean {
    return typeof (this.kernel as { work?: unknown }).work === 'function';
  }

  /** Do the declared work; returns what it measured. */
  work(decl: WorkDecl = {}): WorkResult {
    if (this.simulated) {
      if (decl.exec !== undefined) throw new CheckAbort({ status: 'untestable', reason: `a simulated kernel (${this.kernel.name}) runs no child processes` });
      const ns = Math.round(((decl.spin_ms ?? 0) + (decl.cpu_ms ?? 0)) * 1e6 + (decl.iterations ?? 0) * SIM_NS_PER_ITERATION);
      (this.kernel as unknown as { work(ns: number): void }).work(ns);
      return { wallNs: ns, cpuNs: ns, pages: decl.touch_pages ?? 0, children: 0 };
    }
    const start = process.hrtime.bigint();
    const cpuNow = cpuClock(this.kernel);
    const cpu0 = cpuNow();
    let pages = 0;
    let children = 0;
    if (decl.touch_pages !== undefined) pages = touchPages(decl.touch_pages, this.kernel.pageSize());
    if (decl.exec !== undefined) {
      runChild(decl.exec);
      children = 1;
    }
    if (decl.iterations !== undefined) loop(decl.iterations);
    if (decl.cpu_ms !== undefined) spinCpu(decl.cpu_ms, cpuNow);
    if (decl.spin_ms !== undefined) spin(decl.spin_ms);
    return { wallNs: Number(process.hrtime.bigint() - start), cpuNs: Number(cpuNow() - cpu0), pages, children };
  }

  /**
   * Iterations of the fixed busy loop (work { iterations }) that take about
   * `ms` on this machine, calibrated once per process by wall time (the
   * fastest of a few runs, so a preempted run does not inflate it). The
   * work is then a fixed amount whatever the CPU accounting's granularity:
   * checks compare counts of N and k·N iterations, not counts against a
   * clock. On a simulated kernel, one iteration is SIM_NS_PER_ITERATION ns.
   */
  iterationsFor(ms: number): number {
    if (this.simulated) return Math.max(1, Math.round((ms * 1e6) / SIM_NS_PER_ITERATION));
    return Math.max(1000, Math.round(ms * 1e6 / loopNsPerIteration()));
  }

  /**
   * /proc/sys/kernel/perf_event_max_sample_rate (samples per second the
   * kernel allows; it lowers it itself when sampling interrupts take long,
   * e.g. under emulation), or undefined when unknown or simulated.
   */
  maxSampleRate(): number | undefined {
    if (this.simulated) return undefined;
    return readMaxSampleRate() ?? undefined;
  }

  /** A child stopped before it execs argv; open events on its pid, then resume() it. */
  stoppedChild(argv: readonly string[]): StoppedChild {
    if (this.simulated) throw new CheckAbort({ status: 'untestable', reason: `a simulated kernel (${this.kernel.name}) runs no child processes` });
    try {
      const c = StoppedChild.start(argv);
      this.children.push(c);
      return c;
    } catch (e) {
      throw new CheckAbort({ status: 'untestable', reason: e instanceof Error ? e.message : String(e) });
    }
  }

  /** A small CPU-bound program for children: the shell counting to n. */
  static shellSpin(n: number): string[] {
    return ['/bin/sh', '-c', `i=0; while [ $i -lt ${Math.floor(n)} ]; do i=$((i+1)); done`];
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

let sink = 0;

/** Busy loop on this thread for ms wall milliseconds. */
export function spin(ms: number): void {
  if (!(ms >= 0) || ms > 60000) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `work spin_ms ${ms}: expected 0..60000`);
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  let x = sink | 1;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 1000; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  }
  sink = x;
}

/** Run the fixed busy loop n times: the same work on every call, however the CPU time is accounted. */
export function loop(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 1e10) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `work iterations ${n}: expected an integer 0..1e10`);
  let x = sink | 1;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  sink = x;
}

let nsPerIteration: number | undefined;

/**
 * Wall ns one iteration of loop() takes here, measured once. The JIT
 * compiles the loop at some point after it starts (under emulation an
 * interpreted loop is tens of times slower, and a calibration that timed it
 * would make every later "5 ms" a fraction of that): runs are timed until
 * the fastest per iteration has not improved by 10% for three runs of
 * 20 ms or more (the loop count doubles while a run is shorter); at most ~3 s.
 */
export function loopNsPerIteration(): number {
  if (nsPerIteration !== undefined) return nsPerIteration;
  const time = (n: number): number => {
    const t0 = process.hrtime.bigint();
    loop(n);
    return Number(process.hrtime.bigint() - t0);
  };
  let n = 10_000;
  let best = Infinity;
  let stale = 0;
  let spent = 0;
  while (stale < 3 && spent < 3e9) {
    const t = time(n);
    spent += t;
    const per = t / n;
    if (per < best * 0.9) stale = 0;
    else stale += 1;
    best = Math.min(best, per);
    // Only runs of 20 ms or more decide that the speed is settled.
    if (t < 20e6 && n < 1e9) {
      n *= 2;
      stale = 0;
    }
  }
  nsPerIteration = Math.max(best, 1e-3);
  return nsPerIteration;
}

/**
 * A CPU clock in ns for the work: the calling thread's (what a task clock on
 * pid 0 counts) where the kernel seam has one, else the process's — which also
 * charges Node's GC and libuv threads running beside the work.
 */
export function cpuClock(kernel: Pick<Kernel, 'threadCpuNs'>): () => bigint {
  if (typeof kernel.threadCpuNs === 'function') return () => kernel.threadCpuNs!();
  return () => {
    const u = process.cpuUsage();
    return BigInt(u.user + u.system) * 1000n;
  };
}

/**
 * Busy loop until `clock` (ns of CPU time, see cpuClock) has advanced by ms:
 * a known amount of work whatever else the machine runs. Gives up after 50×
 * that in wall time (at least 2 s) on a machine too loaded to give it the CPU.
 */
export function spinCpu(ms: number, clock: () => bigint): void {
  if (!(ms >= 0) || ms > 10000) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `work cpu_ms ${ms}: expected 0..10000`);
  const start = clock();
  const wallEnd = process.hrtime.bigint() + BigInt(Math.round(Math.max(2000, 50 * ms) * 1e6));
  const goal = BigInt(Math.round(ms * 1e6));
  let x = sink | 1;
  for (;;) {
    for (let i = 0; i < 20000; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
    if (clock() - start >= goal || process.hrtime.bigint() >= wallEnd) break;
  }
  sink = x;
}

/**
 * Write one byte into each of n fresh pages. The allocation is larger than
 * glibc's largest mmap threshold (32 MiB) so that it is always a new mapping
 * whose pages fault on first write, however often this runs.
 */
export function touchPages(n: number, pageSize: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 65536) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `work touch_pages ${n}: expected an integer 0..65536`);
  const bytes = Math.max(n * pageSize, 33 * 1024 * 1024);
  const buf = new Uint8Array(new ArrayBuffer(bytes));
  for (let i = 0; i < n; i++) buf[i * pageSize] = 1;
  return n;
}

function runChild(argv: readonly string[]): void {
  if (argv.length === 0) throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'work exec: empty argv; expected a program and its arguments');
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  if (r.error || r.status !== 0) {
    throw new CheckAbort({ status: 'untestable', reason: `work exec ${argv.join(' ')}: ${r.error ? r.error.message : `exit status ${r.status}`}` });
  }
}

/**
 * SimKernel: a Kernel that behaves like a configurable Linux. It validates the
 * attr as perf_copy_attr and perf_event_open do for a persona's feature set
 * (size and E2BIG write-back, reserved bits, PMU-dependent features, unknown
 * types, paranoid/capability checks, seccomp), keeps an fd table under
 * RLIMIT_NOFILE, schedules groups on PMUs with a limited number of counters
 * (an NMI watchdog may hold one) and counts simulated work (`work(ns)`).
 * This file is the class and its calls' bookkeeping (the call log, the fd
 * table's close, fcntl and prctl); the calls themselves are done by
 * sim-open.ts (perf_event_open, in kernel/events/core.c's order of checks),
 * sim-attr.ts (perf_copy_attr), sim-init-event.ts (perf_init_event),
 * sim-read.ts, sim-ioctl.ts, sim-mmap.ts (mmap, munmap, poll) and
 * sim-time.ts (work, scheduling), on the state in sim-state.ts, after the
 * argument checks of sim-syscall-args.ts.
 */
import {
  DecodedAttr, archAbi, perfIoctlTable, F_GETFD, F_SETFD, FD_CLOEXEC,
  PR_TASK_PERF_EVENTS_DISABLE, PR_TASK_PERF_EVENTS_ENABLE,
} from '../../src/abi';
import type {
  BoundRead, IoctlArg, Kernel, Mapping, MmapResult, NumResult, OpenResult, PollFd, PollResult, ReadResultBytes, RlimitResult, VoidResult,
} from '../../src/sys/kernel';
import { wrapRead } from '../../src/sys/fast-read';
import type { Persona } from './persona';
import type { Workload } from '../../src/probe/behaviour-types';
import { simWorkload } from './sim-workload';
import type { SimEvent } from './sim-event';
import { simGetrlimit, simSetrlimit } from './sim-rlimit';
import { simCopyAttr } from './sim-attr';
import { E, err, OpenError } from './sim-errors';
import { simIoctl } from './sim-ioctl';
import { pollRevents, simMmap, unmapRing } from './sim-mmap';
import { simOpen } from './sim-open';
import { readEvent } from './sim-read';
import { newSimState, SimState } from './sim-state';
import {
  checkCloseFd, checkIoctlRequest, checkMmapArgs, checkOpenArgs, checkPollArgs, checkReadArgs, checkWorkNs,
} from './sim-syscall-args';
import { advance, syncClock } from './sim-time';

const MACHINE_ARCH: Readonly<Record<string, string>> = {
  x86_64: 'x64', i686: 'ia32', aarch64: 'arm64', armv7l: 'arm', riscv64: 'riscv64', s390x: 's390x',
  ppc64le: 'ppc64', ppc64: 'ppc64', loongarch64: 'loong64', mips64: 'mips64el',
};

/** Node's process.arch for a persona's uname machine (x64 when unknown). */
export function archOf(machine: string): string {
  return MACHINE_ARCH[machine] ?? 'x64';
}

/** One call the kernel answered, for tests that assert what was asked. */
export interface SimCall {
  call: string;
  args: unknown[];
  result: unknown;
}

export class SimKernel implements Kernel {
  readonly name: string;
  readonly host = false;
  readonly arch: string;
  readonly persona: Persona;
  /** Every call and its answer, oldest first. */
  readonly calls: SimCall[] = [];
  /** Set false to stop recording calls (long fuzz runs). */
  record = true;
  /** What behaviour checks count on this kernel: work(ns) on its clock. */
  readonly workload: Workload = simWorkload(this);

  private readonly s: SimState;
  private readonly ioctls: Record<string, number>;
  private readonly ioctlByRequest: Map<number, string>;

  constructor(persona: Persona) {
    this.persona = persona;
    this.name = persona.name;
    this.arch = archOf(persona.machine);
    this.ioctls = perfIoctlTable(archAbi(this.arch));
    this.ioctlByRequest = new Map(Object.entries(this.ioctls).map(([k, v]) => [v, k]));
    this.s = newSimState(this, persona);
  }

  /** With a real clock, let the wall time since the last call count as work. */
  private sync(): void {
    syncClock(this.s);
  }

  private log<T>(call: string, args: unknown[], result: T): T {
    if (this.record) this.calls.push({ call, args, result });
    return result;
  }

  /** How many simulated perf fds are open. */
  openFdCount(): number {
    return this.s.events.size;
  }

  /** How many ring mappings are mapped, for leak checks. */
  openMappingCount(): number {
    return this.s.mappings.size;
  }

  /** Open fds, for leak checks. */
  openFds(): number[] {
    return [...this.s.events.keys()].sort((a, b) => a - b);
  }

  /** The simulated event behind an fd (for assertions). */
  event(fd: number): SimEvent | undefined {
    return this.s.events.get(fd);
  }

  /** Simulated nanoseconds elapsed. */
  now(): number {
    return this.s.clockNs;
  }

  /** Hold `n` more (or, negative, fewer) fds outside perf, e.g. to exhaust RLIMIT_NOFILE. */
  holdFds(n: number): void {
    this.s.extraFds = Math.max(0, this.s.extraFds + n);
  }

  // ---------------------------------------------------------------- open

  perfEventOpen(attr: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): OpenResult {
    this.sync();
    checkOpenArgs(attr, pid, cpu, groupFd, flags);
    let result: OpenResult;
    try {
      result = { fd: simOpen(this.s, attr, pid, cpu, groupFd, flags) };
    } catch (e) {
      if (!(e instanceof OpenError)) throw e;
      if (e.errno === E.E2BIG) {
        result = { errno: e.errno, attrSize: new DataView(attr.buffer, attr.byteOffset, attr.byteLength).getUint32(4, true) };
      } else {
        result = { errno: e.errno };
      }
    }
    return this.log('perf_event_open', [Buffer.from(attr), pid, cpu, groupFd, flags], result);
  }

  /** perf_copy_attr: size, reserved and unknown bits. Writes the kernel's size back on E2BIG. */
  copyAttr(bytes: Uint8Array): DecodedAttr {
    return simCopyAttr(this.persona, bytes);
  }

  // ---------------------------------------------------------------- read

  /** The seam's bound read: the default wrapper over read(), same contract as the real kernel's. */
  bindRead(fd: number, buf: Uint8Array, length: number): BoundRead {
    return wrapRead(this, fd, buf, length);
  }

  read(fd: number, buf: Uint8Array, length: number = buf?.byteLength): ReadResultBytes {
    this.sync();
    checkReadArgs(buf, length);
    return this.log('read', [fd, length], readEvent(this.s, fd, buf, length));
  }

  // ---------------------------------------------------------------- ioctl

  ioctl(fd: number, request: number, arg: IoctlArg = 0): NumResult {
    this.sync();
    checkIoctlRequest(request);
    return this.log('ioctl', [fd, this.ioctlByRequest.get(request) ?? request, arg instanceof Uint8Array ? Buffer.from(arg) : arg], simIoctl(this.s, this.ioctlByRequest, fd, request, arg));
  }

  // ---------------------------------------------------------------- close, fcntl, prctl

  close(fd: number): VoidResult {
    this.sync();
    checkCloseFd(fd);
    const ev = this.s.events.get(fd);
    if (!ev) return this.log('close', [fd], err('EBADF'));
    this.s.events.delete(fd);
    if (ev.kind === 'breakpoint') this.s.breakpointsInUse--;
    if (ev.leader === ev) {
      // Siblings of a closed leader become singletons (perf_group_detach).
      for (const s of ev.siblings) { s.leader = s; s.siblings = []; }
      ev.siblings = [];
    } else {
      ev.leader.siblings = ev.leader.siblings.filter((s) => s !== ev);
    }
    return this.log('close', [fd], { ok: true as const });
  }

  fcntl(fd: number, cmd: number, arg = 0): NumResult {
    const ev = this.s.events.get(fd);
    let r: NumResult;
    if (!ev) r = err('EBADF');
    else if (cmd === F_GETFD) r = { value: ev.cloexec ? FD_CLOEXEC : 0 };
    else if (cmd === F_SETFD) { ev.cloexec = (arg & FD_CLOEXEC) !== 0; r = { value: 0 }; }
    else r = err('EINVAL');
    return this.log('fcntl', [fd, cmd, arg], r);
  }

  prctl(option: number, arg2 = 0): NumResult {
    this.sync();
    let r: NumResult;
    if (option === PR_TASK_PERF_EVENTS_DISABLE || option === PR_TASK_PERF_EVENTS_ENABLE) {
      for (const e of this.s.events.values()) if (e.pid !== -1) e.enabled = option === PR_TASK_PERF_EVENTS_ENABLE;
      r = { value: 0 };
    } else r = err('EINVAL');
    return this.log('prctl', [option, arg2], r);
  }

  // ---------------------------------------------------------------- mmap, poll

  pageSize(): number {
    return 4096;
  }

  getrlimit(resource: number): RlimitResult { return simGetrlimit(this.persona, this.arch, resource); }
  setrlimit(resource: number, soft: bigint, hard: bigint): VoidResult { return simSetrlimit(this.persona, this.arch, resource, soft, hard); }

  mmap(fd: number, length: number, prot: number, flags: number, offset = 0): MmapResult {
    this.sync();
    const page = this.pageSize();
    checkMmapArgs(length, offset, page);
    return this.log('mmap', [fd, length, prot, flags, offset], simMmap(this.s, fd, length, prot, flags, offset, page));
  }

  munmap(mapping: Mapping): VoidResult {
    unmapRing(this.s, mapping);
    return this.log('munmap', [mapping.address], { ok: true as const });
  }

  poll(fds: readonly PollFd[], timeoutMs: number): PollResult {
    this.sync();
    checkPollArgs(fds, timeoutMs);
    const revents = pollRevents(this.s, fds);
    return this.log('poll', [fds, timeoutMs], { ready: revents.filter((r) => r !== 0).length, revents });
  }

  // ---------------------------------------------------------------- time

  /** exec(): events with enable_on_exec start counting. */
  exec(): void {
    for (const e of this.s.events.values()) if (e.enableOnExec) { e.enabled = true; e.enableOnExec = false; }
  }

  /**
   * Advance simulated time by `ns` of work: enabled events gain time_enabled;
   * those the PMU schedules gain time_running and counts (multiplexed groups
   * a share of it); sampling events write samples into their ring buffers.
   */
  work(ns: number): void {
    checkWorkNs(ns);
    this.sync();
    advance(this.s, ns);
  }
}

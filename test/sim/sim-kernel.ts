/**
 * SimKernel: a Kernel that behaves like a configurable Linux. It validates the
 * attr as perf_copy_attr and perf_event_open do for a persona's feature set
 * (size and E2BIG write-back, reserved bits, PMU-dependent features, unknown
 * types, paranoid/capability checks, seccomp), keeps an fd table under
 * RLIMIT_NOFILE, schedules groups on PMUs with a limited number of counters
 * (an NMI watchdog may hold one) and counts simulated work (`work(ns)`).
 * The order of checks follows kernel/events/core.c: flags, copy_attr,
 * permission for the kernel, sample rate, fd, group, task, PMU init, CPU-wide
 * permission, group constraints.
 */
import {
  ATTR_FLAGS, ATTR_FIELDS, AUX_ACTION_FLAGS, ATTR_SIZE_VER0, fieldWidth, minSizeFor, decodeAttr, DecodedAttr,
  ERRNO, PERF_TYPE, SW_EVENTS, HW_EVENTS, HW_CACHE_IDS, HW_CACHE_OPS, HW_CACHE_RESULTS, READ_FORMAT,
  SAMPLE_TYPE, BRANCH_SAMPLE_TYPE, OPEN_FLAGS, PERF_FLAG, PERF_FORMAT, PERF_SAMPLE, encodeRead, readSize,
  archAbi, perfIoctlTable, PERF_IOC_FLAG_GROUP, F_GETFD, F_SETFD, FD_CLOEXEC, PROT_WRITE, MAP_SHARED,
  PR_TASK_PERF_EVENTS_DISABLE, PR_TASK_PERF_EVENTS_ENABLE, CLOCK_IDS, HW_BREAKPOINT, ReadValue,
} from '../../src/abi';
import type {
  IoctlArg, Kernel, Mapping, MmapResult, NumResult, OpenResult, PollFd, PollResult, ReadResultBytes, VoidResult,
} from '../../src/sys/kernel';
import { wrapRead } from '../../src/sys/fast-read';
import type { BoundRead } from '../../src/sys/kernel';
import type { Persona } from './persona';
import type { Workload } from '../../src/probe/behaviour-types';
import { simWorkload } from './sim-workload';
import { DEFAULT_HW_CACHE, corePmus, PersonaPmu } from './persona';
import { auxRefusal, branchStackRefusal, clockRefusal } from './sim-drivers';
import { EventKind, SimEvent, groupOf, rateOf } from './sim-event';
import { CounterMap, scheduleOn, userIndexOf } from './sim-counters';
import { pmuRuleRefusal } from './sim-pmu-rules';
import { initControlPage, updateControlPage, writeSamples } from './sim-ring';
import { simGetrlimit, simSetrlimit } from './sim-rlimit';
import type { RlimitResult } from '../../src/sys/kernel';

const E = ERRNO as Readonly<Record<string, number>>;
const err = (name: string): { errno: number } => ({ errno: E[name]! });

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

class OpenError {
  constructor(readonly errno: number) {}
}
function fail(name: string): never {
  throw new OpenError(E[name]!);
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

  private readonly events = new Map<number, SimEvent>();
  private readonly ioctls: Record<string, number>;
  private readonly ioctlByRequest: Map<number, string>;
  private nextId = 1n;
  private clockNs = 0;
  private breakpointsInUse = 0;
  private readonly mappings = new Map<bigint, { fd: number; length: number }>();
  private nextAddress = 0x7f0000000000n;
  private extraFds: number;

  constructor(persona: Persona) {
    this.persona = persona;
    this.name = persona.name;
    this.arch = archOf(persona.machine);
    this.ioctls = perfIoctlTable(archAbi(this.arch));
    this.ioctlByRequest = new Map(Object.entries(this.ioctls).map(([k, v]) => [v, k]));
    this.extraFds = persona.fdsInUse;
  }

  private lastSync = process.hrtime.bigint();

  /** With a real clock, let the wall time since the last call count as work. */
  private sync(): void {
    if (this.persona.clock !== 'real') return;
    const now = process.hrtime.bigint();
    const ns = Number(now - this.lastSync);
    this.lastSync = now;
    if (ns > 0) this.advance(ns);
  }

  private log<T>(call: string, args: unknown[], result: T): T {
    if (this.record) this.calls.push({ call, args, result });
    return result;
  }

  /** How many simulated perf fds are open. */
  openFdCount(): number {
    return this.events.size;
  }

  /** How many ring mappings are mapped, for leak checks. */
  openMappingCount(): number {
    return this.mappings.size;
  }

  /** Open fds, for leak checks. */
  openFds(): number[] {
    return [...this.events.keys()].sort((a, b) => a - b);
  }

  /** The simulated event behind an fd (for assertions). */
  event(fd: number): SimEvent | undefined {
    return this.events.get(fd);
  }

  /** Simulated nanoseconds elapsed. */
  now(): number {
    return this.clockNs;
  }

  /** Hold `n` more (or, negative, fewer) fds outside perf, e.g. to exhaust RLIMIT_NOFILE. */
  holdFds(n: number): void {
    this.extraFds = Math.max(0, this.extraFds + n);
  }

  private privileged(): boolean {
    const p = this.persona;
    if (p.caps.sysAdmin) return true;
    return p.caps.perfmon && p.features.has('access.cap_perfmon');
  }

  /** perf_allow_kernel: counting kernel space at paranoid > 1 needs CAP_PERFMON. */
  private allowKernel(): boolean {
    return !(this.persona.paranoid > 1 && !this.privileged());
  }

  /** perf_allow_cpu: CPU-wide events at paranoid > 0 need CAP_PERFMON. */
  private allowCpu(): boolean {
    return !(this.persona.paranoid > 0 && !this.privileged());
  }

  // ---------------------------------------------------------------- open

  perfEventOpen(attr: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): OpenResult {
    this.sync();
    if (!(attr instanceof Uint8Array)) throw new RangeError('perf_event_open attr: expected a Uint8Array or Buffer');
    if (attr.byteLength < 8) throw new RangeError(`perf_event_open attr: ${attr.byteLength} bytes cannot hold the size field`);
    const declared = new DataView(attr.buffer, attr.byteOffset, attr.byteLength).getUint32(4, true);
    const reads = declared === 0 ? ATTR_SIZE_VER0 : declared;
    if (reads > attr.byteLength && reads <= 4096) {
      throw new RangeError(`perf_event_open attr: size field says ${declared} bytes but the buffer holds ${attr.byteLength}`);
    }
    for (const [v, n] of [[pid, 'pid'], [cpu, 'cpu'], [groupFd, 'group_fd']] as const) {
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`perf_event_open ${n}: ${v} is not a 32-bit integer`);
    }
    if (!Number.isInteger(flags) || flags < 0) throw new RangeError(`perf_event_open flags: ${flags} is not a non-negative integer`);
    let result: OpenResult;
    try {
      result = { fd: this.open(attr, pid, cpu, groupFd, flags) };
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

  private knownBits(ids: readonly { name: string; bit: number }[], prefix: string): bigint {
    let m = 0n;
    for (const b of ids) if (this.persona.features.has(`${prefix}.${b.name}`)) m |= 1n << BigInt(b.bit);
    return m;
  }

  /** perf_copy_attr: size, reserved and unknown bits. Writes the kernel's size back on E2BIG. */
  copyAttr(bytes: Uint8Array): DecodedAttr {
    const p = this.persona;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let size = dv.getUint32(4, true);
    const e2big = (): never => {
      dv.setUint32(4, p.attrSize, true);
      fail('E2BIG');
    };
    if (size > 4096) e2big();
    if (size === 0) size = ATTR_SIZE_VER0;
    if (size < ATTR_SIZE_VER0) e2big();
    if (size > p.attrSize) {
      for (let i = p.attrSize; i < size; i++) if (bytes[i] !== 0) e2big();
    }
    // The kernel sees its own struct: the user's bytes up to min(size, its size), zeros beyond.
    const mine = new Uint8Array(Math.max(p.attrSize, ATTR_SIZE_VER0));
    mine.set(bytes.subarray(0, Math.min(size, p.attrSize)));
    new DataView(mine.buffer).setUint32(4, size, true);
    // Fields this kernel does not have (compiled out or not yet added) must be zero.
    for (const f of ATTR_FIELDS) {
      if (minSizeFor(f) > mine.byteLength) continue;
      if (f.name === 'sample_max_stack' || f.name === '__reserved_2' || f.name === 'aux_action') continue;
      if (f.mainline === '2.6.31' || p.features.has(`attr.${f.name}`)) continue;
      if (!isZero(mine, f.offset, fieldWidth(f.kind))) fail('EINVAL');
    }
    // __reserved_2 (and sample_max_stack before it existed) were not checked before check.reserved_2.
    if (!p.features.has('attr.sample_max_stack')) {
      if (p.features.has('check.reserved_2') && !isZero(mine, 108, 2)) fail('EINVAL');
      mine.fill(0, 108, 110);
    }
    if (mine.byteLength >= 112) {
      if (p.features.has('check.reserved_2') && !isZero(mine, 110, 2)) fail('EINVAL');
      mine.fill(0, 110, 112);
    }
    const attr = decodeAttr(mine);
    const flagsWord = mine.byteLength >= 48 ? new DataView(mine.buffer).getBigUint64(40, true) : 0n;
    let knownFlags = 0n;
    for (const f of ATTR_FLAGS) {
      if (p.features.has(`attr.${f.name}`)) knownFlags |= ((1n << BigInt(f.width)) - 1n) << BigInt(f.bit);
    }
    if (flagsWord & ~knownFlags) fail('EINVAL');
    if (mine.byteLength >= 120) {
      const aux = new DataView(mine.buffer).getUint32(116, true);
      let knownAux = 0;
      for (const f of AUX_ACTION_FLAGS) if (p.features.has(`attr.${f.name}`)) knownAux |= 1 << f.bit;
      if ((aux & ~knownAux) !== 0) fail('EINVAL');
    }
    const sampleType = big(attr.sample_type);
    if (sampleType & ~this.knownBits(SAMPLE_TYPE, 'sample_type')) fail('EINVAL');
    const readFormat = big(attr.read_format);
    if (readFormat & ~this.knownBits(READ_FORMAT, 'read_format')) fail('EINVAL');
    if (sampleType & PERF_SAMPLE.BRANCH_STACK!) {
      const bst = big(attr.branch_sample_type);
      if (bst & ~this.knownBits(BRANCH_SAMPLE_TYPE, 'branch_sample_type')) fail('EINVAL');
      // Some branch type must be asked for (the privilege bits alone are not enough).
      if ((bst & ~0x7n) === 0n) fail('EINVAL');
    }
    if (sampleType & PERF_SAMPLE.REGS_USER!) {
      if (big(attr.sample_regs_user) >> 24n !== 0n) fail('EINVAL');
    }
    if (sampleType & PERF_SAMPLE.STACK_USER!) {
      const s = Number(attr.sample_stack_user ?? 0);
      if (s % 8 !== 0 || s >= 0xffff) fail('EINVAL');
    }
    if (sampleType & PERF_SAMPLE.REGS_INTR!) {
      if (big(attr.sample_regs_intr) >> 24n !== 0n) fail('EINVAL');
    }
    if (p.features.has('attr.inherit_thread') && attr.inherit_thread === 1 && attr.inherit !== 1) fail('EINVAL');
    if (p.features.has('attr.remove_on_exec') && attr.remove_on_exec === 1 && attr.enable_on_exec === 1) fail('EINVAL');
    if (p.features.has('check.sigtrap_remove_on_exec') && !p.features.has('combo.sigtrap_without_remove_on_exec')
      && attr.sigtrap === 1 && attr.remove_on_exec !== 1) fail('EINVAL');
    if (attr.use_clockid === 1) {
      const id = Number(attr.clockid ?? 0);
      const clock = CLOCK_IDS.find((c) => c.value === id);
      if (!clock || !p.features.has(`combo.clockid.${clock.name}`)) fail('EINVAL');
    }
    return attr;
  }

  private open(bytes: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): number {
    const p = this.persona;
    if (p.seccomp && (p.seccompFlags === undefined || (flags & p.seccompFlags) !== 0)) fail(p.seccomp);
    // Debian's perf_event_paranoid 3: no perf_event_open at all without CAP_SYS_ADMIN.
    if (p.paranoid >= 3 && !p.caps.sysAdmin) fail('EACCES');
    let knownOpenFlags = 0;
    for (const f of OPEN_FLAGS) if (p.features.has(`open_flags.${f.name}`)) knownOpenFlags |= 1 << f.bit;
    if (p.features.has('check.open_flags') && (flags & ~knownOpenFlags) !== 0) fail('EINVAL');
    const attr = this.copyAttr(bytes);
    const sampleType = big(attr.sample_type);
    const readFormat = big(attr.read_format);

    if (attr.exclude_kernel !== 1 && !this.allowKernel()) fail('EACCES');
    if (attr.namespaces === 1 && !this.privileged()) fail('EACCES');
    if (attr.freq === 1) {
      if (big(attr.sample_freq) > BigInt(p.maxSampleRate)) fail('EINVAL');
    } else if (big(attr.sample_period) & (1n << 63n)) fail('EINVAL');
    if ((sampleType & PERF_SAMPLE.PHYS_ADDR!) && !this.allowKernel()) fail('EACCES');
    if ((sampleType & PERF_SAMPLE.REGS_INTR!) && !this.allowKernel()) fail('EACCES');
    const cgroup = (flags & PERF_FLAG.PID_CGROUP) !== 0 && p.features.has('open_flags.pid_cgroup');
    if (cgroup && (pid === -1 || cpu === -1)) fail('EINVAL');

    // get_unused_fd_flags
    const fd = this.lowestFreeFd();
    if (fd < 0) fail('EMFILE');

    let leader: SimEvent | undefined;
    if (groupFd !== -1) {
      leader = this.events.get(groupFd);
      if (!leader) fail('EBADF');
    }
    const output = (flags & PERF_FLAG.FD_OUTPUT) !== 0 && leader ? leader : undefined;
    if ((flags & PERF_FLAG.FD_NO_GROUP) !== 0) leader = undefined;

    if (cgroup) fail('EBADF'); // the simulated machine has no cgroup fds to offer
    if (pid < -1) fail('ESRCH');
    if (pid !== -1 && pid !== 0 && pid !== process.pid && pid > 4194304) fail('ESRCH');

    // perf_event_alloc
    if (cpu < -1 || cpu >= p.cpus) fail('EINVAL');
    if (pid === -1 && cpu === -1) fail('EINVAL');
    if (attr.inherit === 1 && (readFormat & PERF_FORMAT.GROUP) && p.features.has('check.inherit_group_read')) fail('EINVAL');
    if (attr.inherit === 1 && (sampleType & PERF_SAMPLE.READ!)) {
      if (p.features.has('check.inherit_sample_read')) fail('EINVAL');
      if (p.features.has('check.inherit_sample_read_tid') && !(sampleType & PERF_SAMPLE.TID!)) fail('EINVAL');
    }
    const { kind, eventName, pmu, userRead } = this.initEvent(attr, pid, cpu);

    // find_get_context: CPU-wide events need permission.
    if (pid === -1 && !this.allowCpu()) fail('EACCES');

    if (leader) {
      if (leader.leader !== leader) fail('EINVAL');
      if (leader.cpu !== cpu) fail('EINVAL');
      if (kind === 'hardware' || kind === 'hw_cache' || kind === 'raw') this.validateGroup(leader, pmu, { attr, eventName, userRead });
    }
    const auxErr = auxRefusal(p, attr, pmu, leader?.pmu);
    if (auxErr) fail(auxErr);
    const clockErr = clockRefusal(attr, kind === 'software');
    if (clockErr) fail(clockErr);
    if ((sampleType & PERF_SAMPLE.AUX!) && !leader) fail('EINVAL');
    if (kind === 'breakpoint') {
      if (this.breakpointsInUse >= p.breakpointSlots) fail('ENOSPC');
      this.breakpointsInUse++;
    }

    const wantsCloexec = (flags & PERF_FLAG.FD_CLOEXEC) !== 0;
    const ev: SimEvent = {
      fd, id: this.nextId++, attr, kind, eventName, pmu, pid, cpu,
      leader: undefined as unknown as SimEvent, siblings: [],
      enabled: attr.disabled !== 1 && attr.enable_on_exec !== 1,
      enableOnExec: attr.enable_on_exec === 1 && attr.disabled === 1,
      errorState: false, count: 0, timeEnabled: 0, timeRunning: 0, sinceSample: 0, lostSamples: 0,
      samplePeriod: attr.freq === 1 ? 1n : big(attr.sample_period),
      // Like the real seam: only PERF_FLAG_FD_CLOEXEC makes the fd close-on-exec
      // (fcntl can later); a kernel that ignores unknown flags leaves it inheritable.
      cloexec: wantsCloexec && p.features.has('open_flags.fd_cloexec'),
      ...(userRead ? { userRead: true } : {}),
    };
    ev.leader = leader ?? ev;
    if (leader) leader.siblings.push(ev);
    if (output) ev.outputTo = output.fd;
    this.events.set(fd, ev);
    return fd;
  }

  private lowestFreeFd(): number {
    const limit = this.persona.rlimitNofile;
    let fd = Math.max(3, this.extraFds);
    while (this.events.has(fd)) fd++;
    return fd < limit ? fd : -1;
  }

  /**
   * validate_group: a hardware group that can never fit its PMU, or that mixes
   * core PMUs, is refused. The members are put on an empty PMU's counters
   * (arm_pmu's validate_group on a fake used_mask); with groupValidation
   * 'enabled', members that are OFF are skipped (validate_event).
   */
  private validateGroup(leader: SimEvent, pmuName: string, next: Pick<SimEvent, 'attr' | 'eventName' | 'userRead'>): void {
    const cores = corePmus(this.persona);
    const pmu = cores.find((c) => c.name === pmuName);
    if (!pmu) return;
    const members = groupOf(leader);
    if (members.some((e) => e.pmu !== pmuName && cores.some((c) => c.name === e.pmu))) fail('EINVAL');
    const onlyEnabled = pmu.groupValidation === 'enabled';
    const nextOff = next.attr.disabled === 1 && next.attr.enable_on_exec !== 1;
    const counted = members.filter((e) => e.pmu === pmuName && (!onlyEnabled || e.enabled || e.enableOnExec)) as Pick<SimEvent, 'attr' | 'eventName' | 'userRead'>[];
    if (!onlyEnabled || !nextOff) counted.push(next);
    if (!new CounterMap(pmu).takeAll(counted as SimEvent[])) fail('EINVAL');
  }

  /**
   * arm64 user-space counter access (__armv8_pmuv3_map_event): config1:rdpmc
   * needs an event on a task (EINVAL for a CPU-wide one), and a 64-bit one
   * needs long counters unless it is the cycles event (EOPNOTSUPP).
   */
  private userReadOf(core: PersonaPmu, attr: DecodedAttr, pid: number, eventName: string): boolean {
    if (!core.userRead) return false;
    const bit = (big(attr.config1) >> BigInt(core.userRead.config1Bit)) & 1n;
    if (bit === 0n) return false;
    if (pid === -1) fail('EINVAL');
    const wide = core.wide !== undefined && ((big(attr.config1) >> BigInt(core.wide.config1Bit)) & 1n) === 1n;
    const dedicated = (core.dedicated ?? []).some((c) => c.events.includes(eventName));
    if (wide && core.wide!.chained && !dedicated) fail('EOPNOTSUPP');
    return true;
  }

  /** perf_init_event: find the PMU for attr.type and let it accept or refuse the event. */
  private initEvent(attr: DecodedAttr, pid: number, cpu = -1): { kind: EventKind; eventName: string; pmu: string; userRead?: boolean } {
    const p = this.persona;
    const type = Number(attr.type);
    const config = big(attr.config);
    const sampleType = big(attr.sample_type);
    const branch = (sampleType & PERF_SAMPLE.BRANCH_STACK!) !== 0n;
    const cores = corePmus(p);
    let core: PersonaPmu | undefined = cores.find((c) => c.type === type) ?? cores[0];
    const anyExclude = attr.exclude_user === 1 || attr.exclude_kernel === 1 || attr.exclude_hv === 1
      || attr.exclude_idle === 1 || attr.exclude_host === 1 || attr.exclude_guest === 1;

    if (type === PERF_TYPE.SOFTWARE) {
      const ev = SW_EVENTS.find((e) => BigInt(e.value) === config);
      if (!ev || !p.features.has(`event.software.${ev.name}`)) fail('ENOENT');
      if (branch) fail('EOPNOTSUPP');
      return { kind: 'software', eventName: ev.name, pmu: 'software' };
    }
    if (type === PERF_TYPE.TRACEPOINT) {
      if (!p.features.has('event.tracepoint')) fail('ENOENT');
      if (branch) fail('EOPNOTSUPP');
      const tp = (p.tracepoints ?? []).find((t) => BigInt(t.id) === config);
      if (!tp) fail('EINVAL');
      if ((sampleType & PERF_SAMPLE.RAW!) && p.paranoid > -1 && !p.caps.sysAdmin) fail('EPERM');
      return { kind: 'tracepoint', eventName: tp.name, pmu: 'tracepoint' };
    }
    if (type === PERF_TYPE.BREAKPOINT) {
      if (!p.features.has('event.breakpoint')) fail('ENOENT');
      if (branch) fail('EOPNOTSUPP');
      const bpType = Number(attr.bp_type ?? 0);
      const len = Number(big(attr.config2));
      if (![HW_BREAKPOINT.R, HW_BREAKPOINT.W, HW_BREAKPOINT.RW, HW_BREAKPOINT.X].includes(bpType as 1)) fail('EINVAL');
      if (bpType === HW_BREAKPOINT.X ? len !== 8 : ![1, 2, 4, 8].includes(len)) fail('EINVAL');
      const addr = big(attr.config1);
      if (addr >= 0xffff800000000000n) {
        if (attr.exclude_kernel === 1) fail('EINVAL');
        if (!p.caps.sysAdmin) fail('EPERM');
      }
      return { kind: 'breakpoint', eventName: 'breakpoint', pmu: 'breakpoint' };
    }
    if (type === PERF_TYPE.HARDWARE || type === PERF_TYPE.HW_CACHE || type === PERF_TYPE.RAW || cores.some((c) => c.type === type)) {
      if (type === PERF_TYPE.HARDWARE || type === PERF_TYPE.HW_CACHE) {
        const ext = Number(config >> 32n);
        if (ext !== 0) {
          // Before 5.13 the whole config indexes the event table: out of range.
          if (!p.features.has('event.extended_type')) fail(core ? 'EINVAL' : 'ENOENT');
          core = cores.find((c) => c.type === ext);
          if (!core) fail('ENOENT');
        }
      }
      // armpmu_event_init: ENOENT for a CPU the PMU does not serve; a generic or raw type without a PMU named goes on to the next PMU (perf_init_event).
      if (core && cpu !== -1 && core.cpus && !core.cpus.includes(cpu)) {
        const walks = !cores.some((c) => c.type === type) && ((config >> 32n) === 0n || type === PERF_TYPE.RAW);
        core = walks ? cores.find((c) => !c.cpus || c.cpus.includes(cpu)) : undefined;
      }
      if (!core) fail('ENOENT');
      if (type === PERF_TYPE.HARDWARE) {
        const low = Number(config & 0xffffffffn);
        const ev = HW_EVENTS.find((e) => e.value === low);
        if (!ev || !p.features.has(`event.hardware.${ev.name}`)) fail(ev ? 'ENOENT' : 'EINVAL');
        const userRead = this.userReadOf(core, attr, pid, ev.name);
        if (!(core.hardwareEvents ?? HW_EVENTS.map((e) => e.name)).includes(ev.name)) fail('ENOENT');
        this.checkCoreAttr(core, attr, branch);
        return { kind: 'hardware', eventName: ev.name, pmu: core.name, userRead };
      }
      if (type === PERF_TYPE.HW_CACHE) {
        const id = Number(config & 0xffn), op = Number((config >> 8n) & 0xffn), res = Number((config >> 16n) & 0xffn);
        if (((config >> 24n) & 0xffn) !== 0n) fail('EINVAL');
        const c = HW_CACHE_IDS.find((x) => x.value === id);
        const o = HW_CACHE_OPS.find((x) => x.value === op);
        const r = HW_CACHE_RESULTS.find((x) => x.value === res);
        if (!c || !o || !r) fail('EINVAL');
        const name = `${c.name}.${o.name}.${r.name}`;
        const userRead = this.userReadOf(core, attr, pid, name);
        if (!(core.hwCache ?? DEFAULT_HW_CACHE).includes(name)) fail('ENOENT');
        this.checkCoreAttr(core, attr, branch);
        return { kind: 'hw_cache', eventName: name, pmu: core.name, userRead };
      }
      const rawName = `r${config.toString(16)}`;
      const userRead = this.userReadOf(core, attr, pid, rawName);
      this.checkCoreAttr(core, attr, branch);
      return { kind: 'raw', eventName: rawName, pmu: core.name, userRead };
    }
    const extra = p.extraPmus.find((x) => x.type === type);
    if (extra) {
      const name = Object.entries(extra.events).find(([, v]) => BigInt(v) === config)?.[0];
      if (name === undefined && !extra.aux) fail('EINVAL'); // an AUX PMU takes its config bits as terms
      if (big(attr.sample_period) !== 0n || branch) fail('EINVAL');
      if (anyExclude && !extra.aux && p.features.has('check.pmu_no_exclude')) fail('EINVAL');
      return { kind: 'pmu', eventName: name ?? extra.name, pmu: extra.name };
    }
    // perf_init_event: every PMU is asked in turn; the first answer that is not ENOENT ends the walk.
    fail(p.quirks.foreignTypeErrno ?? 'ENOENT');
  }

  /** What the core PMU itself refuses (x86_pmu_hw_config and friends). */
  private checkCoreAttr(core: PersonaPmu, attr: DecodedAttr, branch: boolean): void {
    const ruled = pmuRuleRefusal(core.rules, attr);
    if (ruled) fail(ruled);
    if (Number(attr.precise_ip ?? 0) > core.maxPrecise) fail('EOPNOTSUPP');
    // armv8pmu_set_event_filter refuses exclude_idle; __hw_perf_event_init turns that into EOPNOTSUPP.
    if (core.refusesExcludeIdle && attr.exclude_idle === 1) fail('EOPNOTSUPP');
    if (branch) {
      if (!core.branchStack) fail('EOPNOTSUPP');
      const driverErr = branchStackRefusal(core.driver, attr, Number(attr.type) === PERF_TYPE.RAW || Number(attr.type) === core.type ? big(attr.config) : undefined);
      if (driverErr) fail(driverErr);
      const bst = big(attr.branch_sample_type);
      // Kernel branches are asked for explicitly, or implied when no privilege bit is set.
      const kernelBranches = (bst & 0x2n) !== 0n || ((bst & 0x7n) === 0n && attr.exclude_kernel !== 1);
      if (kernelBranches && !this.allowKernel()) fail('EACCES');
    }
  }

  // ---------------------------------------------------------------- read

  /** The seam's bound read: the default wrapper over read(), same contract as the real kernel's. */
  bindRead(fd: number, buf: Uint8Array, length: number): BoundRead {
    return wrapRead(this, fd, buf, length);
  }

  read(fd: number, buf: Uint8Array, length: number = buf?.byteLength): ReadResultBytes {
    this.sync();
    if (!(buf instanceof Uint8Array)) throw new RangeError('read buffer: expected a Uint8Array or Buffer');
    if (!Number.isInteger(length) || length < 0 || length > buf.byteLength) {
      throw new RangeError(`read: length ${length} outside the ${buf.byteLength}-byte buffer`);
    }
    return this.log('read', [fd, length], this.readEvent(fd, buf, length));
  }

  private readEvent(fd: number, buf: Uint8Array, length: number): ReadResultBytes {
    const ev = this.events.get(fd);
    if (!ev) return err('EBADF');
    const fmt = big(ev.attr.read_format);
    const group = (fmt & PERF_FORMAT.GROUP) !== 0n;
    const members = group ? groupOf(ev) : [ev];
    if (length < readSize(fmt, members.length)) return err('ENOSPC');
    if (ev.leader.errorState || ev.errorState) return { bytes: 0 };
    const zero = new Set(this.persona.quirks.zeroCounts ?? []);
    const value = (e: SimEvent): ReadValue => ({
      value: zero.has(e.kind) ? 0n : BigInt(Math.floor(e.count)), id: e.id, lost: BigInt(e.lostSamples),
    });
    let out: Buffer;
    if (group) {
      const shown = this.persona.quirks.brokenGroupRead ? [ev.leader] : members;
      out = encodeRead({
        timeEnabled: BigInt(Math.floor(ev.leader.timeEnabled)), timeRunning: BigInt(Math.floor(ev.leader.timeRunning)),
        values: shown.map(value),
      }, fmt);
    } else {
      out = encodeRead({
        timeEnabled: BigInt(Math.floor(ev.timeEnabled)), timeRunning: BigInt(Math.floor(ev.timeRunning)), values: [value(ev)],
      }, fmt);
    }
    buf.set(out.subarray(0, Math.min(out.byteLength, length)));
    return { bytes: out.byteLength };
  }

  // ---------------------------------------------------------------- ioctl

  ioctl(fd: number, request: number, arg: IoctlArg = 0): NumResult {
    this.sync();
    if (!Number.isInteger(request) || request < 0 || request > 0xffffffff) {
      throw new RangeError(`ioctl: request ${request} is not an unsigned 32-bit number`);
    }
    return this.log('ioctl', [fd, this.ioctlByRequest.get(request) ?? request, arg instanceof Uint8Array ? Buffer.from(arg) : arg], this.doIoctl(fd, request, arg));
  }

  private doIoctl(fd: number, request: number, arg: IoctlArg): NumResult {
    const ev = this.events.get(fd);
    if (!ev) return err('EBADF');
    const name = this.ioctlByRequest.get(request);
    if (!name || !this.persona.features.has(`ioctl.${name}`)) return err('ENOTTY');
    const intArg = typeof arg === 'number' ? arg : typeof arg === 'bigint' ? Number(arg) : undefined;
    const targets = (): SimEvent[] => (intArg !== undefined && (intArg & PERF_IOC_FLAG_GROUP) ? groupOf(ev) : [ev]);
    const ok = { value: 0 };
    switch (name) {
      case 'enable':
        for (const e of targets()) { e.enabled = true; e.enableOnExec = false; e.errorState = false; }
        // Schedule-in: the event gets its counter and its control page is brought up to date (perf_event_update_userpage).
        this.advance(0);
        return ok;
      case 'disable':
        for (const e of targets()) e.enabled = false;
        return ok;
      case 'reset':
        if (!this.persona.quirks.resetNoop) for (const e of targets()) e.count = 0;
        return ok;
      case 'refresh':
        if (ev.attr.inherit === 1 || ev.samplePeriod === 0n) return err('EINVAL');
        ev.refreshLimit = (ev.refreshLimit ?? 0) + (intArg ?? 0);
        ev.enabled = true;
        return ok;
      case 'period': {
        if (!(arg instanceof Uint8Array) || arg.byteLength < 8) return err('EFAULT');
        const v = new DataView(arg.buffer, arg.byteOffset, 8).getBigUint64(0, true);
        if (ev.samplePeriod === 0n && ev.attr.freq !== 1) return err('EINVAL');
        if (v === 0n) return err('EINVAL');
        if (ev.attr.freq === 1 && v > BigInt(this.persona.maxSampleRate)) return err('EINVAL');
        if (ev.attr.freq !== 1 && (v & (1n << 63n))) return err('EINVAL');
        if (ev.attr.freq === 1) ev.attr.sample_freq = v; else { ev.attr.sample_period = v; ev.samplePeriod = v; }
        return ok;
      }
      case 'set_output': {
        if (intArg === undefined) return err('EFAULT');
        if (intArg === -1 || intArg === 0xffffffff) { delete ev.outputTo; return ok; }
        const target = this.events.get(intArg);
        if (!target) return err('EBADF');
        if (target === ev) return ok;
        if (target.cpu !== ev.cpu || (ev.ring && ev.ring.dataPages > 0)) return err('EINVAL');
        ev.outputTo = intArg;
        return ok;
      }
      case 'set_filter': {
        if (!(arg instanceof Uint8Array)) return err('EFAULT');
        if (ev.kind !== 'tracepoint') return err('EINVAL');
        const end = arg.indexOf(0);
        ev.filter = Buffer.from(arg.subarray(0, end < 0 ? arg.byteLength : end)).toString('utf8');
        return ok;
      }
      case 'id': {
        if (!(arg instanceof Uint8Array) || arg.byteLength < 8) return err('EFAULT');
        new DataView(arg.buffer, arg.byteOffset, 8).setBigUint64(0, ev.id, true);
        return ok;
      }
      case 'set_bpf':
        // The simulated machine has no BPF programs: every prog fd is bad.
        return err('EBADF');
      case 'pause_output':
        if (!ev.ring || ev.ring.dataPages === 0) return err('EINVAL');
        ev.ring.paused = (intArg ?? 0) !== 0;
        return ok;
      case 'query_bpf': {
        if (ev.kind !== 'tracepoint') return err('EINVAL');
        if (!(arg instanceof Uint8Array) || arg.byteLength < 8) return err('EFAULT');
        new DataView(arg.buffer, arg.byteOffset, 8).setUint32(4, 0, true);
        return ok;
      }
      case 'modify_attributes': {
        if (!(arg instanceof Uint8Array) || arg.byteLength < 8) return err('EFAULT');
        let next: DecodedAttr;
        try {
          next = this.copyAttr(arg);
        } catch (e) {
          if (e instanceof OpenError) return { errno: e.errno };
          throw e;
        }
        if (Number(next.type) !== Number(ev.attr.type)) return err('EINVAL');
        if (ev.kind !== 'breakpoint') return err('EOPNOTSUPP');
        ev.attr.config1 = next.config1 ?? 0n;
        return ok;
      }
    }
    return err('ENOTTY');
  }

  // ---------------------------------------------------------------- close, fcntl, prctl

  close(fd: number): VoidResult {
    this.sync();
    if (!Number.isInteger(fd) || fd < 0) throw new RangeError(`close: fd ${fd} is not a valid file descriptor`);
    const ev = this.events.get(fd);
    if (!ev) return this.log('close', [fd], err('EBADF'));
    this.events.delete(fd);
    if (ev.kind === 'breakpoint') this.breakpointsInUse--;
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
    const ev = this.events.get(fd);
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
      for (const e of this.events.values()) if (e.pid !== -1) e.enabled = option === PR_TASK_PERF_EVENTS_ENABLE;
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
    if (!Number.isInteger(length) || length <= 0 || length % page !== 0) {
      throw new RangeError(`mmap: length ${length} must be a positive multiple of the page size ${page}`);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset % page !== 0) {
      throw new RangeError(`mmap: offset ${offset} must be a non-negative multiple of the page size ${page}`);
    }
    return this.log('mmap', [fd, length, prot, flags, offset], this.doMmap(fd, length, prot, flags, offset));
  }

  private doMmap(fd: number, length: number, prot: number, flags: number, offset: number): MmapResult {
    const ev = this.events.get(fd);
    if (!ev) return err('EBADF');
    if (!this.persona.features.has('mmap.ring_buffer')) return err('ENODEV');
    if ((flags & MAP_SHARED) === 0) return err('EINVAL');
    if (offset !== 0) return err('EINVAL'); // an AUX area: no PMU here has one
    const page = this.pageSize();
    const dataPages = length / page - 1;
    if (dataPages !== 0 && (dataPages & (dataPages - 1)) !== 0) return err('EINVAL');
    if (ev.ring) {
      if (ev.ring.length !== length) return err('EINVAL');
    } else {
      if (ev.outputTo !== undefined) return err('EINVAL');
      if (dataPages * page > this.persona.mlockKb * 1024 && !this.privileged()) return err('EPERM');
      const buffer = new ArrayBuffer(length);
      const address = this.nextAddress;
      this.nextAddress += BigInt(length + page);
      ev.ring = {
        buffer, address, length, dataPages, writable: (prot & PROT_WRITE) !== 0, pendingLost: 0, paused: false,
        backward: ev.attr.write_backward === 1,
      };
      initControlPage(this.persona, ev, page);
    }
    this.mappings.set(ev.ring.address, { fd, length });
    const mapping: Mapping = { address: ev.ring.address, length: ev.ring.length, buffer: ev.ring.buffer };
    return { mapping };
  }

  munmap(mapping: Mapping): VoidResult {
    const m = this.mappings.get(mapping?.address);
    if (!m) throw new RangeError('munmap: not a mapping made by this kernel, or already unmapped');
    this.mappings.delete(mapping.address);
    const ev = this.events.get(m.fd);
    if (ev && ev.ring?.address === mapping.address) delete ev.ring;
    return this.log('munmap', [mapping.address], { ok: true as const });
  }

  poll(fds: readonly PollFd[], timeoutMs: number): PollResult {
    this.sync();
    if (!Array.isArray(fds)) throw new RangeError('poll: fds must be an array of { fd, events }');
    if (!Number.isInteger(timeoutMs) || timeoutMs < -1) throw new RangeError(`poll: timeout ${timeoutMs} must be an integer >= -1`);
    const POLLIN = 1, POLLHUP = 0x10, POLLNVAL = 0x20;
    const revents = fds.map((p) => {
      const ev = this.events.get(p.fd);
      if (!ev) return POLLNVAL;
      if (!ev.ring) return POLLHUP;
      const dv = new DataView(ev.ring.buffer);
      const head = dv.getBigUint64(1024, true), tail = dv.getBigUint64(1032, true);
      return head !== tail ? POLLIN & p.events : 0;
    });
    return this.log('poll', [fds, timeoutMs], { ready: revents.filter((r) => r !== 0).length, revents });
  }

  // ---------------------------------------------------------------- time

  /** exec(): events with enable_on_exec start counting. */
  exec(): void {
    for (const e of this.events.values()) if (e.enableOnExec) { e.enabled = true; e.enableOnExec = false; }
  }

  /**
   * Advance simulated time by `ns` of work: enabled events gain time_enabled;
   * those the PMU schedules gain time_running and counts (multiplexed groups
   * a share of it); sampling events write samples into their ring buffers.
   */
  work(ns: number): void {
    if (!Number.isFinite(ns) || ns < 0) throw new RangeError(`work: ${ns} ns must be a non-negative number`);
    this.sync();
    this.advance(ns);
  }

  private advance(ns: number): void {
    const tick = this.persona.quirks.rotationTickNs;
    if (tick === undefined || !(tick > 0)) return this.advanceWith(ns, this.schedule());
    // One rotation per tick: each stretch of time up to the next tick runs the groups that pass puts on.
    for (let left = ns; left > 0;) {
      const stretch = Math.min(left, tick - (this.clockNs % tick));
      this.advanceWith(stretch, this.schedule(Math.floor(this.clockNs / tick)));
      left -= stretch;
    }
  }

  private advanceWith(ns: number, share: Map<SimEvent, number>): void {
    for (const ev of this.events.values()) {
      const on = ev.enabled && ev.leader.enabled;
      if (!on) continue;
      const f = share.get(ev.leader) ?? 1;
      let part = 1;
      let delta = rateOf(ev, corePmus(this.persona).find((c) => c.name === ev.pmu)?.neverCounts) * ns * f;
      const limit = ev.refreshLimit ?? 0;
      if (limit > 0 && ev.samplePeriod > 0n && delta > 0 && !this.persona.quirks.refreshIgnored) {
        // REFRESH n: the n-th overflow still writes its sample, then the kernel disables the event.
        const period = Number(ev.samplePeriod);
        const overflows = Math.floor((ev.sinceSample + delta) / period);
        if (overflows >= limit) {
          const needed = limit * period - ev.sinceSample;
          part = needed / delta;
          delta = needed;
          ev.refreshLimit = 0;
          ev.enabled = false;
        } else {
          ev.refreshLimit = limit - overflows;
        }
      }
      ev.timeEnabled += ns * part;
      ev.timeRunning += ns * f * part;
      ev.count += delta;
      if (ev.samplePeriod > 0n && delta > 0) writeSamples(this, ev, delta, this.clockNs + ns * part, this.honouredPrecise(ev));
    }
    this.clockNs += ns;
    for (const ev of this.events.values()) if (ev.ring) updateControlPage(ev);
  }

  /** The highest precise_ip whose samples the event's PMU makes precise (0 off a core PMU). */
  private honouredPrecise(ev: SimEvent): number {
    const core = corePmus(this.persona).find((c) => c.name === ev.pmu);
    return core ? (core.honouredPrecise ?? core.maxPrecise) : 0;
  }

  /**
   * The share of time each enabled group runs on its PMU (sim-counters.ts:
   * pinned first, flexible in rotation, events on the counters their class
   * allows); an NMI watchdog holds a general counter of the main core PMU.
   * Events that may be read from user space learn their counter index.
   */
  private schedule(pass?: number): Map<SimEvent, number> {
    const share = new Map<SimEvent, number>();
    corePmus(this.persona).forEach((core, i) => {
      const members = (g: SimEvent): SimEvent[] => groupOf(g).filter((e) => e.pmu === core.name && e.enabled);
      const groups = [...this.events.values()].filter((e) => e.leader === e && e.enabled && members(e).length > 0);
      const r = scheduleOn(core, this.persona.nmiWatchdog && i === 0 ? 1 : 0, groups, members, pass);
      for (const [g, v] of r.share) share.set(g, v);
      for (const ev of this.events.values()) {
        if (ev.pmu !== core.name || !ev.userRead) continue;
        const slot = r.slots.get(ev);
        ev.userIndex = slot && this.persona.perfUserAccess === 1 ? userIndexOf(core, slot) : 0;
      }
    });
    return share;
  }
}

function big(v: number | bigint | undefined): bigint {
  return v === undefined ? 0n : BigInt(v);
}

function isZero(b: Uint8Array, off: number, len: number): boolean {
  for (let i = off; i < off + len && i < b.byteLength; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * EventSet: PAPI's shape over the shim. Events are opened as they are added,
 * grouped so that they are scheduled together (one group per hardware PMU,
 * software events joining where the map allows), groups larger than the map's
 * schedulability limit are split (and the split reported), and reads take one
 * read() of PERF_FORMAT_GROUP per group where the map says that works, else
 * one read() per event (`readPath`). The read path allocates nothing when the
 * caller passes its own Float64Array.
 */
import { PERF_FORMAT } from '../abi/constants';
import { errnoName } from '../abi/errno';
import { readSize } from '../abi/read-format';
import { PERF_IOC_FLAG_GROUP } from '../abi/ioctl';
import { PerfcompatError } from '../errors';
import type { CapabilityMap } from '../model/capability-map';
import { isErr, Kernel } from '../sys/kernel';
import { realKernel } from '../sys/real-kernel';
import { bindRead, BoundRead } from '../sys/fast-read';
import { counterValue, scaledNumber } from './counter-value';
import { pmuContext } from './event-identity';
import { perfIoctls, PerfIoctls } from './ioctl-requests';
import { entry, isMissing, isSupported, numericValue } from './map-lookup';
import { capabilitiesFor, OpenInternals, openWith, PerfEvent, prepareOpen } from './perf-event';
import type { CommandCounts, ForCommandOptions } from './for-command';
import { toSpec, type OpenInput } from './resolve-spec';
import type { Adaptation, CounterValue, EventSpec, MapSource, Policy } from './types';

export interface EventSetOptions extends MapSource {
  policy?: Policy;
  /** Task to count: 0 = this process (default). */
  pid?: number;
  /** CPU: -1 = any (default). */
  cpu?: number;
  /** Count children created after the open too (inherit). */
  inherit?: boolean;
  /** Counting starts at the target's next exec (forCommand). */
  enableOnExec?: boolean;
}

export type ReadPath = 'group' | 'per-event';

export interface EventValue extends CounterValue {
  name: string;
  /** Index of the group the event was scheduled in. */
  group: number;
  substitutedFrom?: string;
  unit?: string;
}

interface Member {
  event: PerfEvent;
  index: number;
  /** Index of its scheduling group in groupList. */
  group: number;
  /** software or a hardware PMU context. */
  context: string;
}

interface Group {
  leader: PerfEvent;
  members: Member[];
  /** Hardware PMU context of the group, or undefined while it holds only software events. */
  hwContext: string | undefined;
  hwCount: number;
  /** Group read buffer. */
  buf: Buffer;
  dv: DataView;
  readLen: number;
  /** read(leader, buf, readLen), bound once per size. */
  readGroup: BoundRead;
}

const TIMES = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;
const TWO32 = 4294967296;

function u64(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * TWO32 + dv.getUint32(off, true);
}

export class EventSet {
  /** How values are read: one read() per group, or one per event. */
  readonly readPath: ReadPath;
  /** Why readPath is what it is. */
  readonly readPathReason: string;
  /** Group splits and the other path decisions the map forced (emulated RESET, per-event ioctls), one line each. */
  readonly splits: string[] = [];
  private readonly kernel: Kernel;
  private readonly map: CapabilityMap | undefined;
  private readonly policy: Policy | undefined;
  private readonly opts: EventSetOptions;
  private readonly ioctls: PerfIoctls;
  private readonly readFormat: bigint;
  private readonly withLost: boolean;
  private readonly groupLimit: number | undefined;
  private readonly mixHwSw: boolean;
  private readonly groupList: Group[] = [];
  private readonly memberList: Member[] = [];
  /** Per-event read buffer (per-event path). */
  private readonly one: Buffer;
  private readonly oneDv: DataView;
  private readonly stride: number;
  private scratch = new Float64Array(0);
  /** behaviour.ioctl_reset broken: zeroing is emulated by subtracting the raw counts seen at the last reset. */
  private readonly resetEmulated: boolean;
  /** behaviour.ioctl_flag_group broken: enable/disable/reset each event instead of the group. */
  private readonly perEventIoctl: boolean;
  private base = new Float64Array(0);
  private baseBig: bigint[] = [];
  /** Hot-path switch: subtract `base` (true only after an emulated reset). */
  private subtractBase = false;
  /** Per-event path: one bound read per event, into `one`. */
  private readers: BoundRead[] = [];
  private running = false;
  private isClosed = false;

  constructor(opts: EventSetOptions = {}) {
    this.opts = opts;
    this.kernel = opts.kernel ?? realKernel();
    this.map = capabilitiesFor(this.kernel, opts);
    this.policy = opts.policy;
    this.ioctls = perfIoctls(this.kernel.arch);
    const m = this.map;
    const groupBroken = entry(m, 'behaviour.group_read')?.status === 'broken';
    if (isMissing(m, 'read_format.group')) {
      this.readPath = 'per-event';
      this.readPathReason = 'PERF_FORMAT_GROUP is not supported here (read_format.group)';
    } else if (groupBroken) {
      this.readPath = 'per-event';
      this.readPathReason = `PERF_FORMAT_GROUP reads are broken here (behaviour.group_read: ${entry(m, 'behaviour.group_read')?.reason ?? 'broken'})`;
    } else if (opts.inherit && isMissing(m, 'combo.inherit_group_read')) {
      this.readPath = 'per-event';
      this.readPathReason = 'inherited events cannot be read as a group here (combo.inherit_group_read)';
    } else if (opts.pid !== undefined && opts.pid > 0 && entry(m, 'behaviour.group_read_after_exit')?.status === 'broken') {
      this.readPath = 'per-event';
      this.readPathReason = 'a group read of a task that has exited is wrong here (behaviour.group_read_after_exit)';
    } else {
      this.readPath = 'group';
      this.readPathReason = isSupported(m, 'read_format.group') ? 'PERF_FORMAT_GROUP works here (read_format.group)' : 'PERF_FORMAT_GROUP assumed (no capability map)';
    }
    this.withLost = isSupported(m, 'read_format.lost');
    this.readFormat = TIMES | (this.withLost ? PERF_FORMAT.LOST : 0n) | (this.readPath === 'group' ? PERF_FORMAT.GROUP : 0n);
    this.stride = this.withLost ? 2 : 1;
    const limits = [numericValue(m, 'combo.group_schedulability'), numericValue(m, 'behaviour.schedulability')].filter((v): v is number => v !== undefined);
    this.groupLimit = limits.length > 0 ? Math.max(1, Math.min(...limits)) : undefined;
    this.mixHwSw = !isMissing(m, 'combo.hw_sw_group');
    this.resetEmulated = entry(m, 'behaviour.ioctl_reset')?.status === 'broken';
    this.perEventIoctl = entry(m, 'behaviour.ioctl_flag_group')?.status === 'broken';
    if (this.resetEmulated) this.splits.push('RESET does not zero counters here (behaviour.ioctl_reset): counts are taken relative to the last start/reset/accum');
    if (this.perEventIoctl) this.splits.push('group ioctls do not reach the members here (behaviour.ioctl_flag_group): each event is enabled/disabled on its own');
    this.one = Buffer.alloc(readSize(this.readFormat & ~PERF_FORMAT.GROUP));
    this.oneDv = new DataView(this.one.buffer, this.one.byteOffset, this.one.byteLength);
  }

  private live(op: string): void {
    if (this.isClosed) throw new PerfcompatError('ERR_CLOSED', `EventSet.${op}(): the set is closed; create a new EventSet`);
  }

  /** Number of events. */
  get size(): number { return this.memberList.length; }
  get names(): string[] { return this.memberList.map((m) => m.event.name); }
  /** Event names per scheduling group. */
  get groups(): string[][] { return this.groupList.map((g) => g.members.map((m) => m.event.name)); }
  /** Every adaptation of every event, with the event's name. */
  get adaptations(): (Adaptation & { event: string })[] {
    return this.memberList.flatMap((m) => m.event.adaptations.map((a) => ({ ...a, event: m.event.name })));
  }
  get events(): readonly PerfEvent[] { return this.memberList.map((m) => m.event); }
  get isRunning(): boolean { return this.running; }
  get closed(): boolean { return this.isClosed; }

  private pickGroup(context: string): { group: Group | undefined; note?: string } {
    const limit = this.groupLimit;
    const isHw = context !== 'software';
    for (const g of this.groupList) {
      if (!isHw) {
        if (g.hwContext === undefined || this.mixHwSw) return { group: g };
        continue;
      }
      if (g.hwContext !== undefined && g.hwContext !== context) continue;
      if (g.hwContext === undefined && g.members.length > 0 && !this.mixHwSw) continue;
      if (limit !== undefined && g.hwCount >= limit) continue;
      return { group: g };
    }
    if (isHw && limit !== undefined && this.groupList.some((g) => g.hwContext === context && g.hwCount >= limit)) {
      return { group: undefined, note: `a group of ${context} events holds at most ${limit} that are scheduled together here (combo.group_schedulability / behaviour.schedulability)` };
    }
    if (!isHw && !this.mixHwSw && this.groupList.length > 0) {
      return { group: undefined, note: 'software events cannot join a hardware group here (combo.hw_sw_group)' };
    }
    if (isHw && !this.mixHwSw && this.groupList.length > 0) {
      return { group: undefined, note: 'hardware events cannot join a software group here (combo.hw_sw_group)' };
    }
    return { group: undefined, note: this.groupList.length > 0 ? `events of ${context} cannot share a group with another PMU's events` : undefined };
  }

  /** Add an event by name or typed spec; it is opened now (the policy of the set applies). */
  add(input: EventSpec | string): this {
    this.live('add');
    if (this.running) throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'EventSet.add(): the set is running; stop() it before adding events');
    this.subtractBase = false; // an emulated zero no longer covers every event; start() takes a new one
    const overrides: Record<string, number | bigint> = { read_format: this.readFormat };
    if (this.opts.inherit) overrides.inherit = 1;
    // The plan (pure) says which PMU the event ends up on — a stand-in may change it — and so which group it joins.
    const resolved = toSpec(input, this.map); // once: names read sysfs/tracefs
    const planned = prepareOpen(resolved, this.policy ? { policy: this.policy } : {}, this.inner(overrides, undefined));
    const context = pmuContext(Number(planned.plan.attr.type), this.map?.environment);
    const { group, note } = this.pickGroup(context);
    const ev = this.openMember(resolved, overrides, group?.leader);
    const member: Member = { event: ev, index: this.memberList.length, group: group ? this.groupList.indexOf(group) : this.groupList.length, context };
    if (group) {
      group.members.push(member);
      if (context !== 'software') {
        group.hwContext ??= context;
        group.hwCount++;
      }
      this.sizeGroupBuffer(group);
    } else {
      if (note !== undefined) this.splits.push(`${ev.name} starts group ${this.groupList.length}: ${note}`);
      const g: Group = {
        leader: ev, members: [member], hwContext: context === 'software' ? undefined : context, hwCount: context === 'software' ? 0 : 1,
        buf: Buffer.alloc(0), dv: new DataView(new ArrayBuffer(0)), readLen: 0, readGroup: () => 0,
      };
      this.sizeGroupBuffer(g);
      this.groupList.push(g);
    }
    this.memberList.push(member);
    if (this.readPath === 'per-event') this.readers.push(bindRead(this.kernel, ev.fd, this.one, this.one.byteLength));
    this.scratch = new Float64Array(this.memberList.length);
    return this;
  }

  private inner(overrides: Record<string, number | bigint>, leader: PerfEvent | undefined): OpenInternals {
    const ov: Record<string, number | bigint> = { ...overrides };
    if (leader) {
      ov.disabled = 0;
      ov.enable_on_exec = 0;
    } else {
      ov.disabled = 1;
      if (this.opts.enableOnExec) ov.enable_on_exec = 1;
    }
    return { kernel: this.kernel, map: this.map, overrides: ov };
  }

  private openMember(input: OpenInput, overrides: Record<string, number | bigint>, leader: PerfEvent | undefined): PerfEvent {
    const o: { pid?: number; cpu?: number; group?: PerfEvent; policy?: Policy } = {};
    if (this.opts.pid !== undefined) o.pid = this.opts.pid;
    if (this.opts.cpu !== undefined) o.cpu = this.opts.cpu;
    if (leader) o.group = leader;
    if (this.policy) o.policy = this.policy;
    return openWith(input, o, this.inner(overrides, leader));
  }

  /** Group path only: the buffer and bound read() of one PERF_FORMAT_GROUP read of the group. */
  private sizeGroupBuffer(g: Group): void {
    if (this.readPath !== 'group') return;
    g.readLen = readSize(this.readFormat, g.members.length);
    if (g.buf.byteLength < g.readLen) {
      g.buf = Buffer.alloc(Math.max(g.readLen, 64));
      g.dv = new DataView(g.buf.buffer, g.buf.byteOffset, g.buf.byteLength);
    }
    g.readGroup = bindRead(this.kernel, g.leader.fd, g.buf, g.readLen);
  }

  private groupIoctl(op: 'enable' | 'disable' | 'reset'): void {
    for (const g of this.groupList) {
      const targets = this.perEventIoctl ? g.members.map((m) => m.event) : [g.leader];
      for (const ev of targets) {
        const r = this.kernel.ioctl(ev.fd, this.ioctls[op], this.perEventIoctl ? 0 : PERF_IOC_FLAG_GROUP);
        if (isErr(r)) throw new PerfcompatError('ERR_KERNEL', `EventSet: ioctl ${op} on ${this.perEventIoctl ? ev.name : `group led by ${ev.name}`} failed with ${errnoName(r.errno)}`, { errno: r.errno, errnoName: errnoName(r.errno) });
      }
    }
    if (op === 'reset' && this.resetEmulated) this.captureBase();
  }

  /** Remember the raw counts now, as the zero of the next reads (RESET that does nothing). */
  private captureBase(): void {
    this.subtractBase = false;
    const raw = this.readValues().map((v) => v.value);
    this.baseBig = raw;
    this.base = Float64Array.from(raw, (v) => Number(v));
    this.subtractBase = true;
  }

  /** Zero and start every counter. */
  start(): void {
    this.live('start');
    if (this.running) throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'EventSet.start(): already running');
    if (this.memberList.length === 0) throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'EventSet.start(): no events; add() some first');
    this.groupIoctl('reset');
    this.groupIoctl('enable');
    this.running = true;
  }

  /** Stop counting; returns the values (filled into `out` when given). */
  stop(out?: Float64Array): Float64Array {
    this.live('stop');
    this.groupIoctl('disable');
    this.running = false;
    return this.read(out);
  }

  /** Zero every counter. */
  reset(): void {
    this.live('reset');
    this.groupIoctl('reset');
  }

  /** Mark the set running without the enable ioctl (counting started by enable_on_exec). */
  markRunning(): void {
    this.running = true;
  }

  /**
   * Current counts, multiplex-scaled (value * enabled / running), one per
   * event in add() order; 0 for an event that never ran (see readValues).
   * Allocation-free when `out` is given.
   */
  read(out?: Float64Array): Float64Array {
    this.live('read');
    const n = this.memberList.length;
    const values = out ?? new Float64Array(n);
    if (values.length < n) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `EventSet.read(): the array holds ${values.length} values, the set has ${n} events`);
    if (this.readPath === 'group') {
      for (let gi = 0; gi < this.groupList.length; gi++) {
        const g = this.groupList[gi]!;
        const bytes = g.readGroup();
        const members = g.members;
        if (bytes !== g.readLen) {
          if (bytes < 0) throw this.readError(g.leader.name, -bytes);
          if (bytes === 0) { for (let i = 0; i < members.length; i++) values[members[i]!.index] = 0; continue; }
          throw this.shortRead(g.leader.name, bytes, g.readLen);
        }
        const dv = g.dv;
        const enabled = u64(dv, 8);
        const running = u64(dv, 16);
        let off = 24;
        if (this.subtractBase) {
          for (let i = 0; i < members.length; i++) {
            const idx = members[i]!.index;
            values[idx] = scaledNumber(u64(dv, off) - this.base[idx]!, enabled, running);
            off += 8 * this.stride;
          }
          continue;
        }
        for (let i = 0; i < members.length; i++) {
          values[members[i]!.index] = scaledNumber(u64(dv, off), enabled, running);
          off += 8 * this.stride;
        }
      }
    } else {
      const len = this.one.byteLength;
      const dv = this.oneDv;
      for (let i = 0; i < n; i++) {
        const bytes = this.readers[i]!();
        if (bytes !== len) {
          const name = this.memberList[i]!.event.name;
          if (bytes < 0) throw this.readError(name, -bytes);
          if (bytes === 0) { values[i] = 0; continue; }
          throw this.shortRead(name, bytes, len);
        }
        values[i] = scaledNumber(u64(dv, 0) - (this.subtractBase ? this.base[i]! : 0), u64(dv, 8), u64(dv, 16));
      }
    }
    return values;
  }

  /** Every event's value with time_enabled, time_running, the scaled estimate and lost where supported. */
  readValues(): EventValue[] {
    this.live('readValues');
    const out: EventValue[] = new Array(this.memberList.length);
    const put = (m: Member, raw: CounterValue): void => {
      const v = this.subtractBase && raw.timeRunning > 0n
        ? counterValue(raw.value - (this.baseBig[m.index] ?? 0n), raw.timeEnabled, raw.timeRunning, raw.lost)
        : raw;
      const e: EventValue = { name: m.event.name, group: m.group, ...v };
      if (m.event.substitutedFrom !== undefined) e.substitutedFrom = m.event.substitutedFrom;
      if (m.event.unit !== undefined) e.unit = m.event.unit;
      out[m.index] = e;
    };
    if (this.readPath === 'group') {
      for (const g of this.groupList) {
        const r = this.kernel.read(g.leader.fd, g.buf, g.readLen);
        if (isErr(r)) throw this.readError(g.leader.name, r.errno);
        if (r.bytes === 0) { g.members.forEach((m) => put(m, counterValue(0n, 1n, 0n))); continue; }
        if (r.bytes !== g.readLen) throw this.shortRead(g.leader.name, r.bytes, g.readLen);
        const enabled = g.dv.getBigUint64(8, true);
        const running = g.dv.getBigUint64(16, true);
        g.members.forEach((m, i) => {
          const off = 24 + i * 8 * this.stride;
          put(m, counterValue(g.dv.getBigUint64(off, true), enabled, running, this.withLost ? g.dv.getBigUint64(off + 8, true) : undefined));
        });
      }
    } else {
      for (const m of this.memberList) {
        const r = this.kernel.read(m.event.fd, this.one, this.one.byteLength);
        if (isErr(r)) throw this.readError(m.event.name, r.errno);
        if (r.bytes === 0) { put(m, counterValue(0n, 1n, 0n)); continue; }
        if (r.bytes !== this.one.byteLength) throw this.shortRead(m.event.name, r.bytes, this.one.byteLength);
        const d = this.oneDv;
        put(m, counterValue(d.getBigUint64(0, true), d.getBigUint64(8, true), d.getBigUint64(16, true), this.withLost ? d.getBigUint64(24, true) : undefined));
      }
    }
    return out;
  }

  /** PAPI_accum: add the current counts into `values` and zero the counters. */
  accum(values: Float64Array): Float64Array {
    this.live('accum');
    const now = this.read(this.scratch);
    if (values.length < now.length) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `EventSet.accum(): the array holds ${values.length} values, the set has ${now.length} events`);
    for (let i = 0; i < now.length; i++) values[i]! += now[i]!;
    this.groupIoctl('reset');
    return values;
  }

  /** Close every event (members before their leader). Calling it again does nothing. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.running = false;
    for (const g of this.groupList) {
      for (let i = g.members.length - 1; i >= 0; i--) g.members[i]!.event.close();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private readError(name: string, errno: number): PerfcompatError {
    return new PerfcompatError('ERR_KERNEL', `EventSet.read(): read of ${name} failed with ${errnoName(errno)}`, { errno, errnoName: errnoName(errno) });
  }

  private shortRead(name: string, got: number, want: number): PerfcompatError {
    return new PerfcompatError('ERR_DECODE', `EventSet.read(): ${name} returned ${got} bytes, ${want} expected for read_format 0x${this.readFormat.toString(16)}`);
  }

  /**
   * Count a command from its exec to its exit: the child is started held
   * before exec, the events are opened on it with enable_on_exec and inherit,
   * then it is released. Resolves with the counts and the exit status.
   */
  static forCommand(argv: readonly string[], opts: ForCommandOptions = {}): Promise<CommandCounts> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./for-command') as typeof import('./for-command')).forCommand(argv, opts);
  }
}

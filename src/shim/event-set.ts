/**
 * EventSet: PAPI's shape over the shim. Events are opened as they are added,
 * grouped so that they are scheduled together (one group per hardware PMU,
 * software events joining where the map allows), groups larger than the map's
 * schedulability limit are split (and the split reported), and reads take one
 * read() of PERF_FORMAT_GROUP per group where the map says that works, else
 * one read() per event (`readPath`). The read path allocates nothing when the
 * caller passes its own Float64Array.
 */
import { PERF_FORMAT, PERF_HW_EVENT_MASK, PERF_TYPE } from '../abi/constants';
import { ERRNO, errnoName } from '../abi/errno';
import { bindReadNumbers, compileReadLayout, createReadNumbers, type ReadLayout, type ReadNumbers } from '../abi/read-layout';
import { PERF_IOC_FLAG_GROUP } from '../abi/ioctl';
import { PerfcompatError } from '../errors';
import type { CapabilityMap } from '../model/capability-map';
import { openScope, type FdScope } from '../open/scope';
import { isErr, Kernel } from '../sys/kernel';
import { realKernel } from '../sys/real-kernel';
import { bindRead, BoundRead } from '../sys/fast-read';
import { scaledNumber } from './counter-value';
import { pmuContext } from './event-identity';
import { perCorePmuParts } from './core-pmu-parts';
import { checkParts, foldNumbers, foldValues } from './event-set-parts';
import { readEventValues } from './event-set-values';
import { perfIoctls, PerfIoctls } from './ioctl-requests';
import { commitMember, groupReadOf, NOT_COUNTED, readError, shortRead, type Group, type GroupRead, type Member } from './event-set-groups';
import { behaviourOfMap, eventSetPolicy, pickGroup, type BehaviourLookup, type EventSetPolicy } from './event-set-policy';
import { capabilitiesFor, OpenInternals, openWith, PerfEvent, prepareOpen, type Prepared } from './perf-event';
import { toSpec, type SpecWithMeta } from './resolve-spec';
import { float64Arg, optionsArg, specArg } from './entry-args';
import type { Adaptation, EventSpec, EventValue, MapSource, Policy, ReadPath } from './types';
import type { CommandCounts, ForCommandOptions } from './command-types';
import { UserReads, type UserReadOptions, type UserReadView } from './user-read';

export interface EventSetOptions extends MapSource, Pick<UserReadOptions, 'userRead'> {
  policy?: Policy;
  /** Task to count: 0 = this process (default). */
  pid?: number;
  /** CPU: -1 = any (default). */
  cpu?: number;
  /** Count children created after the open too (inherit). */
  inherit?: boolean;
  /** Counting starts at the target's next exec (forCommand). */
  enableOnExec?: boolean;
  /**
   * Behaviour answers the set may rely on (id → entry). Default: the ones the
   * map carries itself (getCapabilities({ behaviour: true })); a check that did
   * not run is unknown and the kernel is assumed to honour it.
   */
  behaviour?: BehaviourLookup;
}

export type { EventValue, ReadPath } from './types';

export class EventSet {
  /** How values are read: one read() per group, or one per event. */
  readonly readPath: ReadPath;
  /** Why readPath is what it is. */
  readonly readPathReason: string;
  /** The whole decision eventSetPolicy made for this set. */
  readonly policyDecision: EventSetPolicy;
  /** User-space counter reads (./user-read): `paths`, each event's ('user' via rdpmc/mrs, or 'syscall') and why; `stats`, reads made each way. */
  get userRead(): UserReadView { return this.userReads; }
  private readonly userReads: UserReads;
  /** Group splits and the other path decisions the map forced (emulated RESET, per-event ioctls), one line each. */
  readonly splits: string[] = [];
  private readonly kernel: Kernel;
  /** Every fd of the set: a failed add() releases what it opened, close() everything. */
  private readonly scope: FdScope;
  private readonly map: CapabilityMap | undefined;
  private readonly policy: Policy | undefined;
  private readonly opts: EventSetOptions;
  private readonly ioctls: PerfIoctls;
  private readonly readFormat: bigint;
  private readonly groupList: Group[] = [];
  private readonly memberList: Member[] = [];
  /** One name (and value) per add(); a generic event on several core PMUs has several members (parts) of one slot (./event-set-parts). */
  private readonly slotNames: string[] = [];
  private readonly slotOf: number[] = [];
  /** The parts' numbers before they fold (only when some add() has several parts). */
  private partValues = new Float64Array(0);
  /** Per-event read buffer (per-event path). */
  private readonly one: Buffer;
  private readonly oneDv: DataView;
  private readonly oneLayout: ReadLayout;
  private readonly oneNumbers: ReadNumbers;
  private readonly oneDecode: () => ReadNumbers;
  private scratch = new Float64Array(0);
  private base = new Float64Array(0);
  private baseBig: bigint[] = [];
  /** Hot-path switch: subtract `base` (true only after an emulated reset). */
  private subtractBase = false;
  /** Per-event path: one bound read per event, into `one`. */
  private readers: BoundRead[] = [];
  private running = false;
  private isClosed = false;

  constructor(optsIn?: EventSetOptions) {
    const opts = optionsArg('EventSet', optsIn);
    this.opts = opts;
    this.kernel = opts.kernel ?? realKernel();
    this.scope = openScope(this.kernel);
    this.map = capabilitiesFor(this.kernel, opts);
    this.policy = opts.policy;
    this.ioctls = perfIoctls(this.kernel.arch);
    const p = eventSetPolicy(this.map, opts.behaviour ?? behaviourOfMap(this.map), opts);
    this.policyDecision = p;
    this.readPath = p.readPath;
    this.readPathReason = p.readPathReason;
    this.readFormat = p.readFormat;
    this.splits.push(...p.reasons);
    this.oneLayout = compileReadLayout(this.readFormat & ~PERF_FORMAT.GROUP);
    this.oneNumbers = createReadNumbers(this.oneLayout);
    this.one = Buffer.alloc(this.oneLayout.size);
    this.oneDv = new DataView(this.one.buffer, this.one.byteOffset, this.one.byteLength);
    this.oneDecode = bindReadNumbers(this.oneLayout, this.one, this.oneNumbers);
    this.userReads = new UserReads(this.kernel, this.map, opts);
  }

  private live(op: string): void {
    if (this.isClosed) throw new PerfcompatError('ERR_CLOSED', `EventSet.${op}(): the set is closed; create a new EventSet`);
  }

  /** Number of events. */
  get size(): number { return this.slotNames.length; }
  get names(): string[] { return [...this.slotNames]; }
  /** Event names per scheduling group. */
  get groups(): string[][] { return this.groupList.map((g) => g.members.map((m) => m.event.name)); }
  /** Every adaptation of every event, with the event's name. */
  get adaptations(): (Adaptation & { event: string })[] {
    return this.memberList.flatMap((m) => m.event.adaptations.map((a) => ({ ...a, event: m.event.name })));
  }
  get events(): readonly PerfEvent[] { return this.memberList.map((m) => m.event); }
  get isRunning(): boolean { return this.running; }
  get closed(): boolean { return this.isClosed; }

  private pickGroup(context: string, general: boolean): { group: Group | undefined; note?: string } {
    const { index, note } = pickGroup(this.groupList, context, this.policyDecision, general);
    return { group: index < 0 ? undefined : this.groupList[index], ...(note !== undefined ? { note } : {}) };
  }

  /** Add an event by name or typed spec; it is opened now (the policy of the set applies). On failure nothing of it stays open.
   *  A generic event on a CPU with several core PMUs is opened on each and read as their sum (./event-set-parts). */
  add(input: EventSpec | string): this {
    this.live('add');
    specArg('EventSet.add', input);
    if (this.running) throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'EventSet.add(): the set is running; stop() it before adding events');
    this.subtractBase = false; // an emulated zero no longer covers every event; start() takes a new one
    const resolved = toSpec(input, this.map); // once: names read sysfs/tracefs
    const parts = perCorePmuParts(input, resolved, this.map?.environment);
    const slot = this.slotNames.length;
    const mark = this.scope.checkpoint();
    let commits: { ev: PerfEvent; commit: () => void }[];
    try {
      // Parts land on different PMUs, so none joins another's group: all open before any is committed.
      commits = (parts ?? [resolved]).map((r) => this.openPart(r, slot));
      checkParts(resolved.spec.name ?? String(input), commits.map((c) => c.ev));
    } catch (e) {
      this.scope.releaseSince(mark);
      throw e;
    }
    for (const c of commits) c.commit();
    this.slotNames.push(parts ? resolved.spec.name ?? String(input) : commits[0]!.ev.name);
    this.scratch = new Float64Array(this.slotNames.length);
    if (parts || this.partValues.length > 0) this.partValues = new Float64Array(this.memberList.length);
    return this;
  }

  /** Open one event of add() (planned once: the plan says which PMU it lands on — a stand-in may change it — and so its group); commit() records it. */
  private openPart(resolved: SpecWithMeta, slot: number): { ev: PerfEvent; commit: () => void } {
    const overrides: Record<string, number | bigint> = { read_format: this.readFormat };
    if (this.opts.inherit) overrides.inherit = 1;
    Object.assign(overrides, this.userReads.attrBits(resolved.spec));
    const o: { pid?: number; cpu?: number; group?: PerfEvent; policy?: Policy } = {};
    if (this.opts.pid !== undefined) o.pid = this.opts.pid;
    if (this.opts.cpu !== undefined) o.cpu = this.opts.cpu;
    if (this.policy) o.policy = this.policy;
    const inner = this.inner(overrides);
    const prepared: Prepared = prepareOpen(resolved, o, inner);
    const attr = prepared.plan.attr;
    const context = pmuContext(Number(attr.type), this.map?.environment, attr.config);
    // Cycles may use counters no other event may (x86 fixed, arm's cycle counter): other hardware events are bound by the general-purpose limit too.
    const general = context !== 'software' && !(Number(attr.type) === PERF_TYPE.HARDWARE && (BigInt(attr.config ?? 0) & PERF_HW_EVENT_MASK) === 0n);
    let { group, note } = this.pickGroup(context, general);
    const mark = this.scope.checkpoint();
    const openIn = (g: Group | undefined): { ev: PerfEvent; reader?: BoundRead; read?: GroupRead } => {
      const oo = { ...o };
      if (g) oo.group = g.leader;
      else delete oo.group;
      try {
        // A member starts with its leader (disabled 0, no enable_on_exec): bits planOpen decides nothing on.
        const ev = openWith(resolved, oo, { ...inner, prepared, ...(g ? { patch: { disabled: 0, enable_on_exec: 0 } } : {}) });
        const out: { ev: PerfEvent; reader?: BoundRead; read?: GroupRead } = { ev };
        if (this.readPath === 'per-event') out.reader = bindRead(this.kernel, ev.fd, this.one, this.one.byteLength);
        if (this.readPath === 'group') out.read = groupReadOf(this.kernel, this.readFormat, g?.leader ?? ev, (g?.members.length ?? 0) + 1, g?.buf);
        return out;
      } catch (e) {
        this.scope.releaseSince(mark);
        throw e;
      }
    };
    let opened: { ev: PerfEvent; reader?: BoundRead; read?: GroupRead };
    try {
      opened = openIn(group);
    } catch (e) {
      // validate_group (x86 validate_group/schedule_events, arm_pmu validate_group) refused the group with it: no counter
      // is left for it beside the others. Schedulability is checked at every add (PAPI): it starts a new group instead.
      if (!group || context === 'software' || !(e instanceof PerfcompatError) || e.errno !== ERRNO.EINVAL) throw e;
      opened = openIn(undefined);
      note = `the kernel refused it in group ${this.groupList.indexOf(group)} (EINVAL at open: validate_group finds no counter for it beside the others)`;
      group = undefined;
    }
    const { ev, reader, read } = opened;
    // commit: nothing in it throws, so the set changes only once every part is open and readable.
    return { ev, commit: () => {
      const member = commitMember(this.groupList, group, { event: ev, index: this.memberList.length, context }, general, read);
      if (!group && note !== undefined) this.splits.push(`${ev.name} starts group ${member.group}: ${note}`);
      this.memberList.push(member);
      this.userReads.add(ev, context);
      this.slotOf.push(slot);
      if (reader) this.readers.push(reader);
    } };
  }

  /** Overrides of a group leader (a member's disabled/enable_on_exec are patched in by openWith). */
  private inner(overrides: Record<string, number | bigint>): OpenInternals {
    const ov: Record<string, number | bigint> = { ...overrides, disabled: 1 };
    if (this.opts.enableOnExec) ov.enable_on_exec = 1;
    return { kernel: this.kernel, map: this.map, overrides: ov, scope: this.scope };
  }

  /**
   * Enable and disable toggle each group's leader alone (its members are open
   * enabled, so they follow it; see eventSetPolicy). Reset uses
   * PERF_IOC_FLAG_GROUP on the leader, or every event on its own where the
   * group flag is broken.
   */
  private groupIoctl(op: 'enable' | 'disable' | 'reset'): void {
    const perEvent = op === 'reset' && this.policyDecision.perEventIoctl;
    for (const g of this.groupList) {
      const targets = perEvent ? g.members.map((m) => m.event) : [g.leader];
      const flag = op === 'reset' && !perEvent ? PERF_IOC_FLAG_GROUP : 0;
      for (const ev of targets) {
        const r = this.kernel.ioctl(ev.fd, this.ioctls[op], flag);
        if (isErr(r)) throw new PerfcompatError('ERR_KERNEL', `EventSet: ioctl ${op} on ${flag === 0 ? ev.name : `group led by ${ev.name}`} failed with ${errnoName(r.errno)}`, { errno: r.errno, errnoName: errnoName(r.errno) });
      }
    }
    if (op === 'reset' && this.policyDecision.resetEmulated) this.captureBase();
  }

  /** Remember the raw counts now, as the zero of the next reads (RESET that does nothing). */
  private captureBase(): void {
    this.subtractBase = false;
    const raw = this.readPartValues().map((v) => v.value);
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
   * event in add() order; EventSet.NOT_COUNTED (-1) for an event that was
   * enabled but never ran, never 0 (readValues says why).
   * Allocation-free when `out` is given.
   */
  read(out?: Float64Array): Float64Array {
    this.live('read');
    float64Arg('EventSet.read', 'out', out, true);
    const n = this.slotNames.length;
    const values = out ?? new Float64Array(n);
    if (values.length < n) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `EventSet.read(): the array holds ${values.length} values, the set has ${n} events`);
    return this.partValues.length === 0 ? this.readParts(values) : foldNumbers(this.readParts(this.partValues), this.slotOf, values, n);
  }

  /** Every event's (part's) number, in open order. */
  private readParts(values: Float64Array): Float64Array {
    const n = this.memberList.length;
    if (this.userReads.read(values, n, this.subtractBase ? this.base : undefined)) return values;
    if (this.readPath === 'group') {
      for (let gi = 0; gi < this.groupList.length; gi++) {
        const g = this.groupList[gi]!;
        const bytes = g.readGroup();
        const members = g.members;
        if (bytes !== g.readLen) {
          if (bytes < 0) throw readError(g.leader.name, -bytes);
          if (bytes === 0) { for (let i = 0; i < members.length; i++) values[members[i]!.index] = NOT_COUNTED; continue; }
          throw shortRead(g.leader.name, bytes, g.readLen, this.readFormat);
        }
        const r = g.decode();
        const vals = r.values;
        const never = r.timeRunning <= 0 && r.timeEnabled > 0;
        for (let i = 0; i < members.length; i++) {
          const idx = members[i]!.index;
          values[idx] = never ? NOT_COUNTED : scaledNumber(vals[i]! - (this.subtractBase ? this.base[idx]! : 0), r.timeEnabled, r.timeRunning);
        }
      }
    } else {
      const len = this.one.byteLength;
      for (let i = 0; i < n; i++) {
        const bytes = this.readers[i]!();
        if (bytes !== len) {
          const name = this.memberList[i]!.event.name;
          if (bytes < 0) throw readError(name, -bytes);
          if (bytes === 0) { values[i] = NOT_COUNTED; continue; }
          throw shortRead(name, bytes, len, this.readFormat);
        }
        const r = this.oneDecode();
        values[i] = r.timeRunning <= 0 && r.timeEnabled > 0 ? NOT_COUNTED : scaledNumber(r.values[0]! - (this.subtractBase ? this.base[i]! : 0), r.timeEnabled, r.timeRunning);
      }
    }
    return values;
  }

  /** Every event's value with time_enabled, time_running, the scaled estimate and lost where supported (one per add(): parts folded). */
  readValues(): EventValue[] {
    this.live('readValues');
    const parts = this.readPartValues();
    return this.partValues.length === 0 ? parts : foldValues(parts, this.slotOf, this.slotNames);
  }

  /** The value of every opened event (part), in open order. */
  private readPartValues(): EventValue[] {
    return readEventValues({
      kernel: this.kernel, readPath: this.readPath, readFormat: this.readFormat, withLost: this.policyDecision.withLost, groups: this.groupList,
      members: this.memberList, one: this.one, oneDv: this.oneDv, oneLayout: this.oneLayout, base: this.subtractBase ? this.baseBig : undefined,
    });
  }

  /** PAPI_accum: add the current counts into `values` and zero the counters. */
  accum(values: Float64Array): Float64Array {
    this.live('accum');
    float64Arg('EventSet.accum', 'values', values, false);
    const now = this.read(this.scratch);
    if (values.length < now.length) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `EventSet.accum(): the array holds ${values.length} values, the set has ${now.length} events`);
    // An interval that was not counted adds nothing (readValues says so); it is never summed as -1.
    for (let i = 0; i < now.length; i++) if (now[i]! !== NOT_COUNTED) values[i]! += now[i]!;
    this.groupIoctl('reset');
    return values;
  }

  /** Close every event (members before their leader). Calling it again does nothing. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.running = false;
    this.userReads.close();
    for (const g of this.groupList) {
      for (let i = g.members.length - 1; i >= 0; i--) g.members[i]!.event.close();
    }
    this.scope.dispose();
  }

  [Symbol.dispose](): void { this.close(); }

  /**
   * Count a command from its exec to its exit: the child is started held
   * before exec, the events are opened on it with enable_on_exec and inherit,
   * then it is released. Resolves with the counts and the exit status.
   * Defined by ./for-command (which imports this module, not the reverse).
   */
  /** What read() gives for an event that was enabled but never counted (never a count: counts are not negative). */
  static readonly NOT_COUNTED = NOT_COUNTED;

  declare static forCommand: (argv: readonly string[], opts?: ForCommandOptions) => Promise<CommandCounts>;
}

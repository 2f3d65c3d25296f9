/**
 * User-space counter reads for an EventSet: where the kernel grants them
 * (the control page's cap_user_rdpmc with a non-zero index), read() of the
 * set reads every counter with one native instruction each (x86 rdpmc,
 * arm64 mrs) instead of a syscall, following the page's seqlock protocol
 * (src/abi/user-page-read). Each event records which path it takes and why
 * (`paths`); a read the page refuses at that instant (index 0 after
 * disable, a lock that kept changing, multiplexed without cap_user_time)
 * goes to read() for the whole set, and is counted.
 *
 * Only self-monitoring events qualify: pid 0 and any CPU, no inherit, no
 * enable_on_exec — the counter register belongs to the thread that reads it.
 * On arm64 an event asks for user access with the core PMU's `rdpmc` format
 * term (config1:1 in arm_pmuv3) when kernel.perf_user_access is 1.
 */
import { readUserPageNumbers, USER_PAGE_MIN_BYTES } from '../abi/user-page-read';
import { PERF_TYPE } from '../abi/constants';
import { errnoName } from '../abi/errno';
import { MAP_SHARED, PROT_READ } from '../abi/ioctl';
import type { CapabilityMap } from '../model/capability-map';
import { isCorePmu } from '../env/core-pmu';
import { readTrimmed } from '../env/read-file';
import { isErr, type Kernel, type Mapping } from '../sys/kernel';
import { userCounterStubs, type UserCounterStubs } from '../sys/user-counter';
import { scaledNumber } from './counter-value';
import type { PerfEvent } from './perf-event';

/** How one event of a set is read, and why. */
export interface CounterReadPath {
  event: string;
  path: 'user' | 'syscall';
  reason: string;
}

export interface UserReadOptions {
  pid?: number;
  cpu?: number;
  inherit?: boolean;
  enableOnExec?: boolean;
  /** false: never read counters from user space (rdpmc/mrs), always read(). Default: where the kernel grants it. */
  userRead?: boolean;
}

/** Counts of the reads the set made each way. */
export interface UserReadStats {
  user: number;
  syscall: number;
  /** The page's answer that sent the last read to read(), with the event's name. */
  lastRefusal?: string;
}

/** What an EventSet shows of its user reads. */
export interface UserReadView {
  readonly paths: readonly CounterReadPath[];
  readonly stats: Readonly<UserReadStats>;
}

const PERF_USER_ACCESS = '/proc/sys/kernel/perf_user_access';

export class UserReads implements UserReadView {
  readonly paths: CounterReadPath[] = [];
  readonly stats: UserReadStats = { user: 0, syscall: 0 };
  private readonly pages: DataView[] = [];
  private readonly mappings: Mapping[] = [];
  private readonly value = new Float64Array(3);
  private stubs: UserCounterStubs | undefined;
  /** Why no event of this set can be read from user space, once known. */
  private setReason: string | undefined;
  private allUser = true;
  private arm64Bits: Record<string, bigint> | null | undefined;
  private coreType: number | undefined;

  constructor(private readonly kernel: Kernel, private readonly map: CapabilityMap | undefined, opts: UserReadOptions) {
    if (opts.userRead === false) this.setReason = 'userRead: false';
    else if ((opts.pid ?? 0) !== 0) this.setReason = `counts pid ${opts.pid}: the counter registers are another task's`;
    else if ((opts.cpu ?? -1) !== -1) this.setReason = `bound to CPU ${opts.cpu}: the register is valid only there`;
    else if (opts.inherit) this.setReason = 'inherit: the children\'s counts are only in read()';
    else if (opts.enableOnExec) this.setReason = 'enable_on_exec: counts a command, not this thread';
  }

  /** The stubs, loaded on the first hardware event; undefined (with setReason) where there are none. */
  private ready(): UserCounterStubs | undefined {
    if (this.stubs || this.setReason !== undefined) return this.stubs;
    const r = userCounterStubs(this.kernel);
    if ('stubs' in r) this.stubs = r.stubs;
    else this.setReason = r.reason;
    return this.stubs;
  }

  /**
   * Attr fields an event needs to be readable from user space: on arm64, for
   * a core PMU event (hardware, cache, raw or the core PMU's own type), the
   * core PMU's `rdpmc` format bit when kernel.perf_user_access is 1; none elsewhere.
   */
  attrBits(spec: { type: number; config1?: number | bigint }): Record<string, bigint> | undefined {
    if (this.kernel.arch !== 'arm64' || !this.kernel.host || !this.ready()) return undefined;
    if (this.arm64Bits === undefined) {
      this.arm64Bits = null;
      const core = this.map?.environment.pmus.find((p) => isCorePmu(p) && p.formats.rdpmc !== undefined);
      const m = core ? /^config1:(\d+)$/.exec(core.formats.rdpmc!.trim()) : null;
      if (core && m && readTrimmed(PERF_USER_ACCESS) === '1') {
        this.arm64Bits = { config1: 1n << BigInt(m[1]!) };
        this.coreType = core.type;
      }
    }
    const t = spec.type;
    if (!this.arm64Bits || !(t === PERF_TYPE.HARDWARE || t === PERF_TYPE.HW_CACHE || t === PERF_TYPE.RAW || t === this.coreType)) return undefined;
    return { config1: BigInt(spec.config1 ?? 0) | this.arm64Bits.config1! };
  }

  /** Record the path of a newly opened event (its index in the set is the call order). Never throws. */
  add(ev: PerfEvent, context: string): void {
    const say = (path: 'user' | 'syscall', reason: string): void => {
      this.paths.push({ event: ev.name, path, reason });
      if (path === 'syscall') this.allUser = false;
    };
    if (context === 'software') { say('syscall', 'software event: no hardware counter'); return; }
    if (!this.ready()) { say('syscall', this.setReason!); return; }
    let m;
    try {
      m = this.kernel.mmap(ev.fd, this.kernel.pageSize(), PROT_READ, MAP_SHARED, 0);
    } catch (e) {
      say('syscall', `mmap of the control page threw: ${(e as Error).message}`);
      return;
    }
    if (isErr(m)) { say('syscall', `mmap of the control page failed with ${errnoName(m.errno)}`); return; }
    const page = new DataView(m.mapping.buffer, 0, Math.min(m.mapping.length, m.mapping.buffer.byteLength));
    if (page.byteLength < USER_PAGE_MIN_BYTES) { this.kernel.munmap(m.mapping); say('syscall', 'control page too short'); return; }
    const caps = page.getUint32(40, true);
    if ((caps & 4) === 0) { this.kernel.munmap(m.mapping); say('syscall', 'the kernel set cap_user_rdpmc 0 on this event\'s page'); return; }
    this.mappings.push(m.mapping);
    this.pages.push(page);
    say('user', `cap_user_rdpmc on the control page; ${this.stubs!.arch} stub`);
  }

  /** True when the set has events and every one reads from user space. */
  get active(): boolean {
    return this.allUser && this.pages.length > 0;
  }

  /**
   * Fill `values` (scaled as EventSet.read scales read()'s numbers, minus
   * `base` when given) from the control pages; false when the set must use
   * read() this time.
   */
  read(values: Float64Array, n: number, base: Float64Array | undefined): boolean {
    if (!this.allUser || this.pages.length !== n || n === 0) return false;
    const v = this.value;
    const src = this.stubs!;
    for (let i = 0; i < n; i++) {
      const refusal = readUserPageNumbers(this.pages[i]!, src, v);
      if (refusal !== undefined) {
        this.stats.syscall++;
        this.stats.lastRefusal = `${this.paths[i]!.event}: ${refusal}`;
        return false;
      }
      values[i] = scaledNumber(v[0]! - (base ? base[i]! : 0), v[1]!, v[2]!);
    }
    this.stats.user++;
    return true;
  }

  /** Unmap every control page (before the events close). */
  close(): void {
    for (const m of this.mappings.splice(0)) this.kernel.munmap(m);
    this.pages.length = 0;
    this.allUser = false;
  }
}

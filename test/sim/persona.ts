/**
 * A persona: the data that describes one simulated Linux. A persona names the
 * mainline release whose ABI it carries (`base`) and lists what differs
 * (`add` backports, `remove` compiled-out features); its feature set is derived
 * from the `mainline` annotations of the ABI tables in src/abi plus the small
 * table of kernel behaviours below. Everything else (paranoid level, PMU, NMI
 * watchdog, seccomp, quirks) is plain data. No code path depends on a version.
 */
import type { AuxCaps, PmuDriver } from './sim-drivers';
import type { PmuRules } from './sim-pmu-rules';
import { ABI_FEATURES, ATTR_SIZE_VERSIONS, HW_EVENTS, SW_EVENTS, MMAP_CAPABILITIES, CLOCK_IDS } from '../../src/abi';

/** A core PMU (the CPU's performance monitoring unit). */
export interface PersonaPmu {
  /** sysfs name: cpu, armv8_pmuv3_0, cpu_core … */
  name: string;
  /** perf_event_attr.type of the PMU (4 for x86's cpu). */
  type: number;
  /** Programmable counters the PMU has. */
  counters: number;
  /** Highest precise_ip the PMU accepts (0 = no PEBS/IBS). */
  maxPrecise: number;
  /** Branch stack sampling (LBR/BRBE). */
  branchStack: boolean;
  /** Generalised hardware events it implements (names of HW_EVENTS); default all. */
  hardwareEvents?: string[];
  /** hw_cache combos it implements, "<cache>.<op>.<result>"; default a typical x86 set. */
  hwCache?: string[];
  /** Capabilities the control page reports for events of this PMU (MMAP_CAPABILITIES names). */
  mmapCaps?: string[];
  /** Counter width reported in the control page. */
  pmcWidth?: number;
  /**
   * Counters only the listed events may use (names as in SimEvent.eventName:
   * cpu_cycles, or r11 for the raw event): arm's cycle counter, x86's fixed
   * counters. They count in `counters`; those events take one first and a
   * general counter when it is taken. `userIndex`: the control page's index
   * of an event on it, when user reads are allowed (arm's 32).
   */
  dedicated?: { events: string[]; counters: number; userIndex?: number }[];
  /** config1 bit that asks for a 64-bit event; `chained`: the general counters are 32-bit, so it takes an even/odd pair. */
  wide?: { config1Bit: number; chained: boolean };
  /**
   * User-space counter reads by request (arm64): an event with this config1
   * bit, opened on a task, gets cap_user_rdpmc; its control page shows a
   * counter index only while kernel.perf_user_access is 1 and it is on a
   * counter. Without this, `mmapCaps` containing cap_user_rdpmc grants it to every event.
   */
  userRead?: { config1Bit: number };
  /** Highest precise_ip whose samples are precise (PERF_RECORD_MISC_EXACT_IP); default maxPrecise. A PMU that accepts levels it ignores has less. */
  honouredPrecise?: number;
  /** exclude_idle is refused with EOPNOTSUPP (a PMU that cannot filter idle). */
  refusesExcludeIdle?: boolean;
  /** Generalised events that open and run but never count (an emulator's events that never fire). */
  neverCounts?: string[];
  /** sysfs format/ of the PMU; default by machine. */
  formats?: Record<string, string>;
  /** sysfs events/ of the PMU; default the generalised hardwareEvents, dashed. */
  sysfsEvents?: string[];
  /**
   * validate_group counts: 'all' members (default), or only those not OFF
   * (enabled, or waiting for exec) — arm_pmu's validate_event skips a disabled
   * event, so a group whose members are all opened disabled is never refused at open.
   */
  groupValidation?: 'all' | 'enabled';
  /** Vendor driver rules (sim-drivers.ts): Intel LBR / PEBS via PT, AMD BRS. */
  driver?: PmuDriver;
  /** What the driver refuses of exclude_* and precise_ip (sim-pmu-rules.ts). */
  rules?: PmuRules;
  /**
   * The CPUs the PMU serves (arm_pmu supported_cpus, its sysfs `cpus`): an event
   * bound to another CPU is refused with ENOENT (armpmu_event_init). Default: a
   * hybrid machine's CPUs split between its core PMUs in turn, without the rule.
   */
  cpus?: number[];
}

/** Another PMU listed in sysfs (msr, uncore_*, …): counting only, no sampling. */
export interface PersonaExtraPmu {
  name: string;
  type: number;
  /** config values it accepts, by event name. */
  events: Record<string, number>;
  /** An AUX-area PMU (intel_pt, arm_spe, cs_etm): sampling-free, takes exclude bits, leads aux_output groups (sim-drivers.ts). */
  aux?: AuxCaps;
}

export interface PersonaTracepoint {
  name: string;
  id: number;
}

/** Faults and bugs a persona can carry. */
export interface PersonaQuirks {
  /** read() with PERF_FORMAT_GROUP returns only the leader (a broken FORMAT_GROUP). */
  brokenGroupRead?: boolean;
  /** PERF_EVENT_IOC_RESET returns 0 and zeroes nothing. */
  resetNoop?: boolean;
  /** PERF_EVENT_IOC_REFRESH enables the event but never disables it after its n overflows. */
  refreshIgnored?: boolean;
  /** Event kinds that open and run but always count 0 ('hardware', 'software', 'hw_cache', 'tracepoint', 'raw', 'breakpoint'). */
  zeroCounts?: string[];
  /** A PMU driver's event_init answers this errno (not ENOENT) for types it does not own, so perf_init_event stops there for an unregistered type. */
  foreignTypeErrno?: 'EOPNOTSUPP' | 'EINVAL';
  /**
   * perf_rotate_context runs once per this many ns of simulated time, and a
   * flexible group runs only in the passes that put it on (a host so loaded
   * that the mux hrtimer fires rarely, as under qemu TCG); unset, time is
   * shared out evenly between rotations.
   */
  rotationTickNs?: number;
  /**
   * The kernel time a rotation costs the task (perf_mux_hrtimer_handler and
   * perf_rotate_context run in its context), as a share of its time while a
   * PMU it has events on multiplexes: task-clock counts it, an event with
   * exclude_kernel does not (qemu TCG emulates the handler slowly).
   */
  rotationKernelShare?: number;
}

/** What a persona file declares. */
export interface PersonaSpec {
  name: string;
  description: string;
  /** uname -r */
  release: string;
  /** uname -v */
  version?: string;
  /** uname -m; default x86_64 */
  machine?: string;
  /** The mainline release whose ABI this kernel carries. */
  base: string;
  /** Feature ids present although `base` lacks them (backports). */
  add?: string[];
  /** Feature ids absent although `base` has them (compiled out, reverted). */
  remove?: string[];
  /** perf_event_paranoid; default 2. */
  paranoid?: number;
  /** Effective uid of the caller; default 0. */
  euid?: number;
  /** Capabilities of the caller; default all when euid is 0, none otherwise. */
  caps?: { perfmon?: boolean; sysAdmin?: boolean; bpf?: boolean };
  /** The CPU's PMU, or null for a VM without one. */
  pmu?: PersonaPmu | null;
  /** More core PMUs of a hybrid CPU (cpu_atom beside cpu_core): reached with the extended type in config bits 32+. */
  hybridPmus?: PersonaPmu[];
  extraPmus?: PersonaExtraPmu[];
  /** An NMI watchdog holds one counter of the core PMU. */
  nmiWatchdog?: boolean;
  /** A seccomp filter refuses perf_event_open with this errno. */
  seccomp?: 'EPERM' | 'ENOSYS' | null;
  /** With seccomp: the filter refuses only calls whose flags argument has one of these bits (an argument filter). */
  seccompFlags?: number;
  /** RLIMIT_NOFILE and how many fds the process already holds. */
  rlimitNofile?: number;
  /** The hard RLIMIT_NOFILE the soft one may be raised to; default the soft one. */
  rlimitNofileHard?: number;
  fdsInUse?: number;
  /** Online CPUs. */
  cpus?: number;
  /** Hardware breakpoint slots. */
  breakpointSlots?: number;
  /** kernel.perf_event_max_sample_rate */
  maxSampleRate?: number;
  /** kernel.perf_event_mlock_kb */
  mlockKb?: number;
  /** kernel.perf_user_access (arm64): 1 lets user space read counters of events that asked (PersonaPmu.userRead); default 0. */
  perfUserAccess?: number;
  /** Tracepoints (null: tracefs absent). */
  tracepoints?: PersonaTracepoint[] | null;
  /** Capabilities the control page reports for software events (e.g. cap_user_time on a stable TSC). */
  softwareMmapCaps?: string[];
  /** Container/VM hints for the environment. */
  container?: string[];
  quirks?: PersonaQuirks;
  /**
   * 'real' (default): simulated time follows the wall clock between calls, so
   * code that spins and then reads sees counts grow as on a real kernel.
   * 'manual': time advances only by SimKernel.work(ns) (exact counts in tests).
   */
  clock?: 'real' | 'manual';
}

/** A persona with its derived feature set. */
export interface Persona extends Required<Omit<PersonaSpec, 'add' | 'remove' | 'caps' | 'version' | 'quirks' | 'extraPmus' | 'tracepoints' | 'pmu' | 'seccomp' | 'container' | 'softwareMmapCaps' | 'clock' | 'hybridPmus' | 'seccompFlags'>> {
  hybridPmus: PersonaPmu[];
  clock: 'real' | 'manual';
  version: string;
  add: string[];
  remove: string[];
  caps: { perfmon: boolean; sysAdmin: boolean; bpf: boolean };
  pmu: PersonaPmu | null;
  extraPmus: PersonaExtraPmu[];
  tracepoints: PersonaTracepoint[] | null;
  seccomp: 'EPERM' | 'ENOSYS' | null;
  seccompFlags?: number;
  container: string[];
  softwareMmapCaps: string[];
  quirks: PersonaQuirks;
  /** Every feature id this kernel has (ABI ids, events, kernel behaviours). */
  features: ReadonlySet<string>;
  /** The largest perf_event_attr this kernel knows (bytes). */
  attrSize: number;
}

/**
 * Kernel behaviours the ABI tables do not carry, with the mainline release
 * that introduced them (and, for a check that was later lifted, the one that
 * removed it). Ids starting with `check.` are validations the kernel performs;
 * the others are features a probe can observe.
 */
export interface KernelBehaviour {
  id: string;
  mainline: string;
  until?: string;
  description: string;
}

export const KERNEL_BEHAVIOURS: readonly KernelBehaviour[] = [
  { id: 'event.breakpoint', mainline: '2.6.33', description: 'PERF_TYPE_BREAKPOINT' },
  { id: 'event.tracepoint', mainline: '2.6.31', description: 'PERF_TYPE_TRACEPOINT' },
  { id: 'check.open_flags', mainline: '3.15', description: 'unknown perf_event_open flag bits are refused (ignored before)' },
  { id: 'check.reserved_2', mainline: '5.5', description: 'attr.__reserved_2 must be zero (ignored before)' },
  { id: 'check.inherit_group_read', mainline: '2.6.31', until: '4.13', description: 'inherit with PERF_FORMAT_GROUP is refused' },
  { id: 'check.inherit_sample_read', mainline: '4.13', until: '6.12', description: 'inherit with PERF_SAMPLE_READ is refused' },
  { id: 'check.inherit_sample_read_tid', mainline: '6.12', description: 'inherit with PERF_SAMPLE_READ needs PERF_SAMPLE_TID' },
  { id: 'check.sigtrap_remove_on_exec', mainline: '5.13', description: 'sigtrap needs remove_on_exec' },
  { id: 'check.pmu_no_exclude', mainline: '5.0', description: 'PMUs without exclude support refuse exclude_* bits' },
  { id: 'event.extended_type', mainline: '5.13', description: 'hardware/hw_cache config bits 32+ name the core PMU (PERF_PMU_TYPE_SHIFT)' },
  { id: 'access.cap_perfmon', mainline: '5.8', description: 'CAP_PERFMON grants what CAP_SYS_ADMIN did' },
  { id: 'mmap.data_offset', mainline: '4.1', description: 'the control page has data_offset/data_size' },
  { id: 'mmap.ring_buffer', mainline: '2.6.31', description: 'a ring buffer can be mapped' },
  ...CLOCK_IDS.map((c) => ({ id: `combo.clockid.${c.name}`, mainline: c.mainline, description: `use_clockid with CLOCK_${c.name.toUpperCase()}` })),
];

/** Compare dotted release numbers ("3.10" < "3.16" < "4.1"). */
export function compareRelease(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10));
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.isFinite(pa[i]) ? pa[i]! : 0;
    const y = Number.isFinite(pb[i]) ? pb[i]! : 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function present(mainline: string, base: string, until?: string): boolean {
  return compareRelease(mainline, base) <= 0 && (until === undefined || compareRelease(base, until) < 0);
}

/** Every feature id of mainline `base`: the ABI tables' plus kernel behaviours and events. */
export function mainlineFeatures(base: string): Set<string> {
  const out = new Set<string>();
  for (const f of ABI_FEATURES) if (present(f.mainline, base)) out.add(f.id);
  for (const b of KERNEL_BEHAVIOURS) if (present(b.mainline, base, b.until)) out.add(b.id);
  for (const e of SW_EVENTS) if (present(e.mainline, base)) out.add(`event.software.${e.name}`);
  for (const e of HW_EVENTS) if (present(e.mainline, base)) out.add(`event.hardware.${e.name}`);
  for (const c of MMAP_CAPABILITIES) if (present(c.mainline, base)) out.add(`mmap.${c.name}`);
  return out;
}

/** The largest attr size of a feature set: the newest size version whose field features are all present. */
function attrSizeOf(features: ReadonlySet<string>, base: string): number {
  let size = ATTR_SIZE_VERSIONS[0]!.bytes;
  for (const v of ATTR_SIZE_VERSIONS) if (present(v.mainline, base)) size = Math.max(size, v.bytes);
  // A backported field widens the struct the kernel knows to hold it.
  for (const f of ABI_FEATURES) {
    if (f.kind === 'attr.field' && features.has(f.id) && f.offset !== undefined) {
      const v = ATTR_SIZE_VERSIONS.find((s) => s.bytes > f.offset!);
      if (v) size = Math.max(size, v.bytes);
    }
  }
  return size;
}

export const DEFAULT_HW_CACHE = [
  'l1d.read.access', 'l1d.read.miss', 'l1d.write.access', 'l1d.prefetch.miss',
  'l1i.read.miss', 'll.read.access', 'll.read.miss', 'll.write.access', 'll.write.miss',
  'll.prefetch.access', 'll.prefetch.miss', 'dtlb.read.access', 'dtlb.read.miss',
  'dtlb.write.access', 'dtlb.write.miss', 'itlb.read.access', 'itlb.read.miss',
  'bpu.read.access', 'bpu.read.miss', 'node.read.access', 'node.read.miss',
];

/** Resolve a persona file into a Persona with its feature set. */
export function resolvePersona(spec: PersonaSpec): Persona {
  const features = mainlineFeatures(spec.base);
  for (const id of spec.add ?? []) features.add(id);
  for (const id of spec.remove ?? []) features.delete(id);
  const euid = spec.euid ?? 0;
  const root = euid === 0;
  return {
    name: spec.name,
    description: spec.description,
    release: spec.release,
    version: spec.version ?? `#1 SMP PREEMPT_DYNAMIC ${spec.name}`,
    machine: spec.machine ?? 'x86_64',
    base: spec.base,
    add: [...(spec.add ?? [])],
    remove: [...(spec.remove ?? [])],
    paranoid: spec.paranoid ?? 2,
    euid,
    caps: {
      perfmon: spec.caps?.perfmon ?? root,
      sysAdmin: spec.caps?.sysAdmin ?? root,
      bpf: spec.caps?.bpf ?? root,
    },
    pmu: spec.pmu === undefined ? null : spec.pmu,
    hybridPmus: spec.hybridPmus ?? [],
    extraPmus: spec.extraPmus ?? [],
    nmiWatchdog: spec.nmiWatchdog ?? false,
    seccomp: spec.seccomp ?? null,
    ...(spec.seccompFlags !== undefined ? { seccompFlags: spec.seccompFlags } : {}),
    rlimitNofile: spec.rlimitNofile ?? 1024,
    rlimitNofileHard: spec.rlimitNofileHard ?? spec.rlimitNofile ?? 1024,
    fdsInUse: spec.fdsInUse ?? 12,
    cpus: spec.cpus ?? 2,
    breakpointSlots: spec.breakpointSlots ?? 4,
    maxSampleRate: spec.maxSampleRate ?? 100000,
    mlockKb: spec.mlockKb ?? 516,
    perfUserAccess: spec.perfUserAccess ?? 0,
    tracepoints: spec.tracepoints === undefined ? DEFAULT_TRACEPOINTS : spec.tracepoints,
    softwareMmapCaps: spec.softwareMmapCaps ?? [],
    container: spec.container ?? [],
    quirks: spec.quirks ?? {},
    clock: spec.clock ?? 'real',
    features,
    attrSize: attrSizeOf(features, spec.base),
  };
}

export const DEFAULT_TRACEPOINTS: PersonaTracepoint[] = [
  { name: 'sched:sched_switch', id: 316 },
  { name: 'sched:sched_process_exec', id: 307 },
  { name: 'syscalls:sys_enter_openat', id: 641 },
  { name: 'syscalls:sys_enter_getpid', id: 579 },
  { name: 'raw_syscalls:sys_enter', id: 22 },
];

/** A typical x86 core PMU (Skylake-like). */
export function x86Pmu(overrides: Partial<PersonaPmu> = {}): PersonaPmu {
  return {
    name: 'cpu', type: 4, counters: 4, maxPrecise: 3, branchStack: true,
    hardwareEvents: ['cpu_cycles', 'instructions', 'cache_references', 'cache_misses', 'branch_instructions', 'branch_misses', 'bus_cycles', 'ref_cpu_cycles'],
    mmapCaps: ['cap_user_rdpmc', 'cap_user_time', 'cap_user_time_zero', 'cap_user_time_short'],
    pmcWidth: 48,
    ...overrides,
  };
}

/** The CPUs core PMU `i` of corePmus(p) serves: its declared `cpus`, else every CPU (one core PMU) or every n-th (hybrid). */
export function cpusOfCore(p: Persona, i: number): number[] {
  const cores = corePmus(p);
  return cores[i]?.cpus ?? Array.from({ length: p.cpus }, (_, c) => c).filter((c) => cores.length <= 1 || c % cores.length === i);
}

/** Every core PMU of a persona (the main one first). */
export function corePmus(p: Persona): PersonaPmu[] {
  return p.pmu ? [p.pmu, ...p.hybridPmus] : [...p.hybridPmus];
}

/**
 * Every enumeration and bit set of include/uapi/linux/perf_event.h, as data.
 * Each entry carries its uapi identifier, the short name used in feature ids
 * (lower-case, without the prefix) and the mainline release that introduced it.
 * Pure: no I/O.
 */
import { intArg } from './args';

export interface AbiBit {
  /** Short name: the uapi identifier lower-cased, without its prefix. */
  readonly name: string;
  readonly uapi: string;
  readonly bit: number;
  readonly mainline: string;
  readonly description: string;
}

export interface AbiValue {
  readonly name: string;
  readonly uapi: string;
  readonly value: number;
  readonly mainline: string;
  readonly description: string;
}

function bits(prefix: string, rows: ReadonlyArray<[string, number, string, string]>): AbiBit[] {
  return rows.map(([name, bit, mainline, description]) => ({
    name, uapi: prefix + name.toUpperCase(), bit, mainline, description,
  }));
}

function values(prefix: string, rows: ReadonlyArray<[string, number, string, string]>): AbiValue[] {
  return rows.map(([name, value, mainline, description]) => ({
    name, uapi: prefix + name.toUpperCase(), value, mainline, description,
  }));
}

/** enum perf_type_id */
export const PERF_TYPES = values('PERF_TYPE_', [
  ['hardware', 0, '2.6.31', 'generalized hardware events'],
  ['software', 1, '2.6.31', 'kernel software events'],
  ['tracepoint', 2, '2.6.31', 'static tracepoints (id from tracefs)'],
  ['hw_cache', 3, '2.6.31', 'generalized hardware cache events'],
  ['raw', 4, '2.6.31', 'raw PMU-specific events'],
  ['breakpoint', 5, '2.6.33', 'hardware breakpoints'],
]);

export const PERF_TYPE = {
  HARDWARE: 0, SOFTWARE: 1, TRACEPOINT: 2, HW_CACHE: 3, RAW: 4, BREAKPOINT: 5,
} as const;

/** enum perf_hw_id */
export const HW_EVENTS = values('PERF_COUNT_HW_', [
  ['cpu_cycles', 0, '2.6.31', 'CPU cycles'],
  ['instructions', 1, '2.6.31', 'retired instructions'],
  ['cache_references', 2, '2.6.31', 'cache accesses (usually last level)'],
  ['cache_misses', 3, '2.6.31', 'cache misses (usually last level)'],
  ['branch_instructions', 4, '2.6.31', 'retired branch instructions'],
  ['branch_misses', 5, '2.6.31', 'mispredicted branches'],
  ['bus_cycles', 6, '2.6.31', 'bus cycles'],
  ['stalled_cycles_frontend', 7, '3.0', 'stalled cycles during issue'],
  ['stalled_cycles_backend', 8, '3.0', 'stalled cycles during retirement'],
  ['ref_cpu_cycles', 9, '3.3', 'reference cycles, not affected by frequency scaling'],
]);

/** enum perf_sw_ids */
export const SW_EVENTS = values('PERF_COUNT_SW_', [
  ['cpu_clock', 0, '2.6.31', 'CPU clock, a high-resolution per-CPU timer'],
  ['task_clock', 1, '2.6.31', 'clock count specific to the task'],
  ['page_faults', 2, '2.6.31', 'page faults'],
  ['context_switches', 3, '2.6.31', 'context switches'],
  ['cpu_migrations', 4, '2.6.31', 'migrations to another CPU'],
  ['page_faults_min', 5, '2.6.31', 'minor page faults'],
  ['page_faults_maj', 6, '2.6.31', 'major page faults'],
  ['alignment_faults', 7, '2.6.33', 'alignment faults'],
  ['emulation_faults', 8, '2.6.33', 'emulation faults'],
  ['dummy', 9, '3.12', 'placeholder event that counts nothing'],
  ['bpf_output', 10, '4.4', 'BPF output (perf_event_output from BPF)'],
  ['cgroup_switches', 11, '5.13', 'context switches to a task in a different cgroup'],
]);

/** enum perf_hw_cache_id */
export const HW_CACHE_IDS = values('PERF_COUNT_HW_CACHE_', [
  ['l1d', 0, '2.6.31', 'level 1 data cache'],
  ['l1i', 1, '2.6.31', 'level 1 instruction cache'],
  ['ll', 2, '2.6.31', 'last-level cache'],
  ['dtlb', 3, '2.6.31', 'data TLB'],
  ['itlb', 4, '2.6.31', 'instruction TLB'],
  ['bpu', 5, '2.6.31', 'branch prediction unit'],
  ['node', 6, '3.1', 'local memory accesses'],
]);

/** enum perf_hw_cache_op_id */
export const HW_CACHE_OPS = values('PERF_COUNT_HW_CACHE_OP_', [
  ['read', 0, '2.6.31', 'read accesses'],
  ['write', 1, '2.6.31', 'write accesses'],
  ['prefetch', 2, '2.6.31', 'prefetch accesses'],
]);

/** enum perf_hw_cache_op_result_id */
export const HW_CACHE_RESULTS = values('PERF_COUNT_HW_CACHE_RESULT_', [
  ['access', 0, '2.6.31', 'accesses'],
  ['miss', 1, '2.6.31', 'misses'],
]);

/** config of a PERF_TYPE_HW_CACHE event: id | op << 8 | result << 16. */
export function hwCacheConfig(id: number, op: number, result: number): bigint {
  intArg('hwCacheConfig', 'id', id, 0, 0xff);
  intArg('hwCacheConfig', 'op', op, 0, 0xff);
  intArg('hwCacheConfig', 'result', result, 0, 0xff);
  return BigInt(id) | (BigInt(op) << 8n) | (BigInt(result) << 16n);
}

/** PERF_PMU_TYPE_SHIFT: extended hardware type (hybrid CPUs), 5.13. */
export const PERF_PMU_TYPE_SHIFT = 32;
export const PERF_HW_EVENT_MASK = 0xffffffffn;

/** enum perf_event_read_format */
export const READ_FORMAT = bits('PERF_FORMAT_', [
  ['total_time_enabled', 0, '2.6.31', 'time the event was enabled'],
  ['total_time_running', 1, '2.6.31', 'time the event was on the PMU'],
  ['id', 2, '2.6.31', 'unique event id'],
  ['group', 3, '2.6.31', 'read the whole group in one read()'],
  ['lost', 4, '6.0', 'number of lost samples'],
]);

export const PERF_FORMAT = {
  TOTAL_TIME_ENABLED: 1n << 0n,
  TOTAL_TIME_RUNNING: 1n << 1n,
  ID: 1n << 2n,
  GROUP: 1n << 3n,
  LOST: 1n << 4n,
} as const;
export const READ_FORMAT_MAX_BIT = 5;

/** enum perf_event_sample_format */
export const SAMPLE_TYPE = bits('PERF_SAMPLE_', [
  ['ip', 0, '2.6.31', 'instruction pointer'],
  ['tid', 1, '2.6.31', 'process and thread id'],
  ['time', 2, '2.6.31', 'timestamp'],
  ['addr', 3, '2.6.31', 'address (data address for memory events)'],
  ['read', 4, '2.6.31', 'counter values of the event (and group)'],
  ['callchain', 5, '2.6.31', 'call chain'],
  ['id', 6, '2.6.31', 'event id'],
  ['cpu', 7, '2.6.31', 'CPU number'],
  ['period', 8, '2.6.31', 'current sampling period'],
  ['stream_id', 9, '2.6.31', 'id of the event leader that produced the sample'],
  ['raw', 10, '2.6.31', 'raw tracepoint or PMU data'],
  ['branch_stack', 11, '3.4', 'last branch record stack'],
  ['regs_user', 12, '3.7', 'user registers'],
  ['stack_user', 13, '3.7', 'user stack dump'],
  ['weight', 14, '3.10', 'hardware cost of the event (u64)'],
  ['data_src', 15, '3.10', 'data source of the access'],
  ['identifier', 16, '3.12', 'id at a fixed position'],
  ['transaction', 17, '3.13', 'transaction abort flags'],
  ['regs_intr', 18, '3.19', 'registers at the interrupt'],
  ['phys_addr', 19, '4.14', 'physical data address'],
  ['aux', 20, '5.5', 'AUX area snapshot'],
  ['cgroup', 21, '5.7', 'cgroup id'],
  ['data_page_size', 22, '5.11', 'page size of the data address'],
  ['code_page_size', 23, '5.11', 'page size of the code address'],
  ['weight_struct', 24, '5.12', 'weight as a struct of three values'],
]);

export const PERF_SAMPLE = Object.fromEntries(
  SAMPLE_TYPE.map((b) => [b.name.toUpperCase(), 1n << BigInt(b.bit)]),
) as Record<Uppercase<string>, bigint>;
export const SAMPLE_TYPE_MAX_BIT = 25;

/** enum perf_branch_sample_type_shift */
export const BRANCH_SAMPLE_TYPE = bits('PERF_SAMPLE_BRANCH_', [
  ['user', 0, '3.4', 'user branches'],
  ['kernel', 1, '3.4', 'kernel branches'],
  ['hv', 2, '3.4', 'hypervisor branches'],
  ['any', 3, '3.4', 'any branch type'],
  ['any_call', 4, '3.4', 'any call branch'],
  ['any_return', 5, '3.4', 'any return branch'],
  ['ind_call', 6, '3.4', 'indirect calls'],
  ['abort_tx', 7, '3.11', 'transaction aborts'],
  ['in_tx', 8, '3.11', 'branches in a transaction'],
  ['no_tx', 9, '3.11', 'branches not in a transaction'],
  ['cond', 10, '3.16', 'conditional branches'],
  ['call_stack', 11, '4.1', 'call/ret stack'],
  ['ind_jump', 12, '4.2', 'indirect jumps'],
  ['call', 13, '4.4', 'direct calls'],
  ['no_flags', 14, '4.5', 'no flags in branch entries'],
  ['no_cycles', 15, '4.5', 'no cycle counts in branch entries'],
  ['type_save', 16, '4.14', 'save the branch type'],
  ['hw_index', 17, '5.7', 'save the low-level index of raw branch records'],
  ['priv_save', 18, '6.1', 'save the privilege mode'],
  ['counters', 19, '6.8', 'save occurrences of events on a branch'],
]);
export const BRANCH_SAMPLE_TYPE_MAX_BIT = 20;

/** perf_event_open flags (PERF_FLAG_*) */
export const OPEN_FLAGS = bits('PERF_FLAG_', [
  ['fd_no_group', 0, '2.6.32', 'ignore group_fd for grouping (used with FD_OUTPUT)'],
  ['fd_output', 1, '2.6.32', 'redirect output to group_fd (broken since 2.6.35)'],
  ['pid_cgroup', 2, '2.6.39', 'pid is a cgroup fd: count per cgroup'],
  ['fd_cloexec', 3, '3.14', 'set close-on-exec on the new fd'],
]);
export const PERF_FLAG = {
  FD_NO_GROUP: 1 << 0,
  FD_OUTPUT: 1 << 1,
  PID_CGROUP: 1 << 2,
  FD_CLOEXEC: 1 << 3,
} as const;

/** enum perf_event_type (record types) */
export const RECORD_TYPES = values('PERF_RECORD_', [
  ['mmap', 1, '2.6.32', 'executable mapping'],
  ['lost', 2, '2.6.32', 'lost records'],
  ['comm', 3, '2.6.32', 'process name change'],
  ['exit', 4, '2.6.32', 'process exit'],
  ['throttle', 5, '2.6.32', 'throttling'],
  ['unthrottle', 6, '2.6.32', 'unthrottling'],
  ['fork', 7, '2.6.32', 'process fork'],
  ['read', 8, '2.6.32', 'counter read (inherit_stat)'],
  ['sample', 9, '2.6.32', 'a sample'],
  ['mmap2', 10, '3.12', 'mapping with inode data or build id'],
  ['aux', 11, '4.1', 'new data in the AUX area'],
  ['itrace_start', 12, '4.1', 'instruction trace started'],
  ['lost_samples', 13, '4.2', 'samples lost by the PMU'],
  ['switch', 14, '4.3', 'context switch'],
  ['switch_cpu_wide', 15, '4.3', 'context switch, CPU-wide'],
  ['namespaces', 16, '4.12', 'namespaces of a task'],
  ['ksymbol', 17, '5.1', 'kernel symbol (un)register'],
  ['bpf_event', 18, '5.1', 'BPF program load/unload'],
  ['cgroup', 19, '5.7', 'cgroup creation'],
  ['text_poke', 20, '5.9', 'kernel text modification'],
  ['aux_output_hw_id', 21, '5.16', 'hardware id of AUX output'],
  ['callchain_deferred', 22, '6.19', 'deferred user callchain'],
]);

export const PERF_RECORD = Object.fromEntries(
  RECORD_TYPES.map((r) => [r.name.toUpperCase(), r.value]),
) as Record<Uppercase<string>, number>;

/** Capability bits of perf_event_mmap_page.capabilities (3.12+ layout). */
export const MMAP_CAPABILITIES = bits('', [
  ['cap_bit0', 0, '3.12', 'always 0 (the 3.4–3.11 layout used it for cap_usr_time)'],
  ['cap_bit0_is_deprecated', 1, '3.12', 'the capability layout is the fixed one'],
  ['cap_user_rdpmc', 2, '3.12', 'user space may read the counter with rdpmc'],
  ['cap_user_time', 3, '3.12', 'time_shift/mult/offset are valid'],
  ['cap_user_time_zero', 4, '3.12', 'time_zero is valid'],
  ['cap_user_time_short', 5, '5.9', 'time_cycles/time_mask are valid'],
]);

/** Callchain context markers (PERF_CONTEXT_*), as u64. */
export const PERF_CONTEXT = {
  HV: 0xffffffffffffffe0n, // (u64)-32
  KERNEL: 0xffffffffffffff80n, // (u64)-128
  USER: 0xfffffffffffffe00n, // (u64)-512
  USER_DEFERRED: 0xfffffffffffffd80n, // (u64)-640
  GUEST: 0xfffffffffffff800n, // (u64)-2048
  GUEST_KERNEL: 0xfffffffffffff780n, // (u64)-2176
  GUEST_USER: 0xfffffffffffff600n, // (u64)-2560
  MAX: 0xfffffffffffff001n, // (u64)-4095
} as const;

/** PERF_RECORD_MISC_* bits of perf_event_header.misc */
export const PERF_RECORD_MISC = {
  CPUMODE_MASK: 0x7,
  CPUMODE_UNKNOWN: 0,
  KERNEL: 1,
  USER: 2,
  HYPERVISOR: 3,
  GUEST_KERNEL: 4,
  GUEST_USER: 5,
  PROC_MAP_PARSE_TIMEOUT: 1 << 12,
  MMAP_DATA: 1 << 13,
  COMM_EXEC: 1 << 13,
  FORK_EXEC: 1 << 13,
  SWITCH_OUT: 1 << 13,
  EXACT_IP: 1 << 14,
  SWITCH_OUT_PREEMPT: 1 << 14,
  MMAP_BUILD_ID: 1 << 14,
  EXT_RESERVED: 1 << 15,
} as const;

/** Breakpoint types (linux/hw_breakpoint.h) and lengths. */
export const HW_BREAKPOINT = {
  EMPTY: 0, R: 1, W: 2, RW: 3, X: 4,
  LEN_1: 1, LEN_2: 2, LEN_3: 3, LEN_4: 4, LEN_5: 5, LEN_6: 6, LEN_7: 7, LEN_8: 8,
} as const;

/** prctl options that toggle all counters of the calling task. */
export const PR_TASK_PERF_EVENTS_DISABLE = 31;
export const PR_TASK_PERF_EVENTS_ENABLE = 32;

/** Clock ids usable with use_clockid (linux/time.h). */
export const CLOCK_IDS = values('CLOCK_', [
  ['realtime', 0, '4.1', 'wall clock'],
  ['monotonic', 1, '4.1', 'monotonic clock'],
  ['monotonic_raw', 4, '4.1', 'monotonic clock without NTP slewing'],
  ['boottime', 7, '4.1', 'monotonic including suspend'],
  ['tai', 11, '4.1', 'international atomic time'],
]);

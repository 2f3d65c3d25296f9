/**
 * struct perf_event_attr as data: every field with its byte offset and width,
 * the size versions, and the mainline kernel that introduced each.
 * Pure: no I/O. Source of truth: include/uapi/linux/perf_event.h (mainline).
 */
import { invalidArgument, objectArg } from './args';

export type FieldKind = 'u16' | 'u32' | 's32' | 'u64';

export interface AttrField {
  /** uapi name of the field (the canonical member of a union). */
  readonly name: string;
  readonly offset: number;
  readonly kind: FieldKind;
  /** Other uapi names of the same storage (union members). */
  readonly aliases?: readonly string[];
  /** First mainline release whose header has the field. */
  readonly mainline: string;
  readonly description: string;
}

export const ATTR_FIELDS: readonly AttrField[] = [
  { name: 'type', offset: 0, kind: 'u32', mainline: '2.6.31', description: 'major type: hardware, software, tracepoint, cache, raw, breakpoint or a PMU type from sysfs' },
  { name: 'size', offset: 4, kind: 'u32', mainline: '2.6.31', description: 'size of the attr structure, for forward and backward compatibility' },
  { name: 'config', offset: 8, kind: 'u64', mainline: '2.6.31', description: 'type-specific event configuration' },
  { name: 'sample_period', offset: 16, kind: 'u64', aliases: ['sample_freq'], mainline: '2.6.31', description: 'sampling period, or frequency when the freq flag is set' },
  { name: 'sample_type', offset: 24, kind: 'u64', mainline: '2.6.31', description: 'which values are included in a sample (PERF_SAMPLE_*)' },
  { name: 'read_format', offset: 32, kind: 'u64', mainline: '2.6.31', description: 'which values read() returns (PERF_FORMAT_*)' },
  { name: 'flags', offset: 40, kind: 'u64', mainline: '2.6.31', description: 'the bit-field word: disabled, inherit, ... (see ATTR_FLAGS)' },
  { name: 'wakeup_events', offset: 48, kind: 'u32', aliases: ['wakeup_watermark'], mainline: '2.6.31', description: 'wake up every n events, or bytes before wakeup when watermark is set' },
  { name: 'bp_type', offset: 52, kind: 'u32', mainline: '2.6.33', description: 'breakpoint type (HW_BREAKPOINT_R/W/X)' },
  { name: 'config1', offset: 56, kind: 'u64', aliases: ['bp_addr', 'kprobe_func', 'uprobe_path'], mainline: '2.6.33', description: 'extension of config; breakpoint address; kprobe/uprobe target' },
  { name: 'config2', offset: 64, kind: 'u64', aliases: ['bp_len', 'kprobe_addr', 'probe_offset'], mainline: '2.6.33', description: 'extension of config1; breakpoint length; probe address or offset' },
  { name: 'branch_sample_type', offset: 72, kind: 'u64', mainline: '3.4', description: 'which branches a branch-stack sample records (PERF_SAMPLE_BRANCH_*)' },
  { name: 'sample_regs_user', offset: 80, kind: 'u64', mainline: '3.7', description: 'mask of user registers dumped on samples' },
  { name: 'sample_stack_user', offset: 88, kind: 'u32', mainline: '3.7', description: 'size of the user stack dumped on samples' },
  { name: 'clockid', offset: 92, kind: 's32', mainline: '4.1', description: 'clock used for time fields when use_clockid is set' },
  { name: 'sample_regs_intr', offset: 96, kind: 'u64', mainline: '3.19', description: 'mask of registers dumped at the interrupt' },
  { name: 'aux_watermark', offset: 104, kind: 'u32', mainline: '4.1', description: 'wakeup watermark for the AUX area' },
  { name: 'sample_max_stack', offset: 108, kind: 'u16', mainline: '4.8', description: 'maximum number of frames in a callchain' },
  { name: '__reserved_2', offset: 110, kind: 'u16', mainline: '4.8', description: 'reserved, must be zero' },
  { name: 'aux_sample_size', offset: 112, kind: 'u32', mainline: '5.5', description: 'bytes of AUX data to include in samples' },
  { name: 'aux_action', offset: 116, kind: 'u32', mainline: '6.13', description: 'the AUX action word: aux_start_paused, aux_pause, aux_resume (see AUX_ACTION_FLAGS)' },
  { name: 'sig_data', offset: 120, kind: 'u64', mainline: '5.13', description: 'user data delivered in si_perf with sigtrap' },
  { name: 'config3', offset: 128, kind: 'u64', mainline: '6.3', description: 'extension of config2' },
  { name: 'config4', offset: 136, kind: 'u64', mainline: '6.19', description: 'extension of config3' },
];

export function fieldWidth(kind: FieldKind): number {
  return kind === 'u16' ? 2 : kind === 'u64' ? 8 : 4;
}

export interface AttrSizeVersion {
  readonly name: string;
  readonly bytes: number;
  readonly adds: string;
  readonly mainline: string;
}

/** PERF_ATTR_SIZE_VER0 … VER9 (72 bytes, 2.6.33's, never got a name). */
export const ATTR_SIZE_VERSIONS: readonly AttrSizeVersion[] = [
  { name: 'PERF_ATTR_SIZE_VER0', bytes: 64, adds: 'first published', mainline: '2.6.31' },
  { name: 'PERF_ATTR_SIZE_VER1', bytes: 72, adds: 'config2 (bp_len)', mainline: '2.6.33' },
  { name: 'PERF_ATTR_SIZE_VER2', bytes: 80, adds: 'branch_sample_type', mainline: '3.4' },
  { name: 'PERF_ATTR_SIZE_VER3', bytes: 96, adds: 'sample_regs_user, sample_stack_user', mainline: '3.7' },
  { name: 'PERF_ATTR_SIZE_VER4', bytes: 104, adds: 'sample_regs_intr', mainline: '3.19' },
  { name: 'PERF_ATTR_SIZE_VER5', bytes: 112, adds: 'aux_watermark, clockid', mainline: '4.1' },
  { name: 'PERF_ATTR_SIZE_VER6', bytes: 120, adds: 'aux_sample_size', mainline: '5.5' },
  { name: 'PERF_ATTR_SIZE_VER7', bytes: 128, adds: 'sig_data', mainline: '5.13' },
  { name: 'PERF_ATTR_SIZE_VER8', bytes: 136, adds: 'config3', mainline: '6.3' },
  { name: 'PERF_ATTR_SIZE_VER9', bytes: 144, adds: 'config4', mainline: '6.19' },
];

export const ATTR_SIZE_VER0 = 64;
/** The size of the attr this library knows (the newest size version). */
export const ATTR_SIZE_LATEST = 144;

export interface AttrFlag {
  /** uapi name of the bit-field member. */
  readonly name: string;
  readonly bit: number;
  /** Width in bits (2 for precise_ip, else 1). */
  readonly width: number;
  readonly mainline: string;
  readonly description: string;
}

/** The bit-field word at offset 40, bit n = 1 << n (little-endian view). */
export const ATTR_FLAGS: readonly AttrFlag[] = [
  { name: 'disabled', bit: 0, width: 1, mainline: '2.6.31', description: 'the event starts off' },
  { name: 'inherit', bit: 1, width: 1, mainline: '2.6.31', description: 'children inherit the event' },
  { name: 'pinned', bit: 2, width: 1, mainline: '2.6.31', description: 'the event must always be on the PMU' },
  { name: 'exclusive', bit: 3, width: 1, mainline: '2.6.31', description: 'only group on the PMU' },
  { name: 'exclude_user', bit: 4, width: 1, mainline: '2.6.31', description: 'do not count user space' },
  { name: 'exclude_kernel', bit: 5, width: 1, mainline: '2.6.31', description: 'do not count the kernel' },
  { name: 'exclude_hv', bit: 6, width: 1, mainline: '2.6.31', description: 'do not count the hypervisor' },
  { name: 'exclude_idle', bit: 7, width: 1, mainline: '2.6.31', description: 'do not count when idle' },
  { name: 'mmap', bit: 8, width: 1, mainline: '2.6.31', description: 'emit PERF_RECORD_MMAP for executable mappings' },
  { name: 'comm', bit: 9, width: 1, mainline: '2.6.31', description: 'emit PERF_RECORD_COMM' },
  { name: 'freq', bit: 10, width: 1, mainline: '2.6.31', description: 'sample_freq instead of sample_period' },
  { name: 'inherit_stat', bit: 11, width: 1, mainline: '2.6.31', description: 'per-task counts for inherited events' },
  { name: 'enable_on_exec', bit: 12, width: 1, mainline: '2.6.31', description: 'enable at the next exec' },
  { name: 'task', bit: 13, width: 1, mainline: '2.6.31', description: 'emit fork and exit records' },
  { name: 'watermark', bit: 14, width: 1, mainline: '2.6.32', description: 'wakeup_watermark instead of wakeup_events' },
  { name: 'precise_ip', bit: 15, width: 2, mainline: '2.6.35', description: 'skid constraint: 0 arbitrary … 3 zero skid' },
  { name: 'mmap_data', bit: 17, width: 1, mainline: '2.6.36', description: 'emit PERF_RECORD_MMAP for data mappings' },
  { name: 'sample_id_all', bit: 18, width: 1, mainline: '2.6.38', description: 'sample_type id fields on all records' },
  { name: 'exclude_host', bit: 19, width: 1, mainline: '3.2', description: 'do not count in the host' },
  { name: 'exclude_guest', bit: 20, width: 1, mainline: '3.2', description: 'do not count in guests' },
  { name: 'exclude_callchain_kernel', bit: 21, width: 1, mainline: '3.7', description: 'no kernel frames in callchains' },
  { name: 'exclude_callchain_user', bit: 22, width: 1, mainline: '3.7', description: 'no user frames in callchains' },
  { name: 'mmap2', bit: 23, width: 1, mainline: '3.12', description: 'emit PERF_RECORD_MMAP2 (inode data)' },
  { name: 'comm_exec', bit: 24, width: 1, mainline: '3.16', description: 'flag COMM records that come from exec' },
  { name: 'use_clockid', bit: 25, width: 1, mainline: '4.1', description: 'use clockid for time fields' },
  { name: 'context_switch', bit: 26, width: 1, mainline: '4.3', description: 'emit context switch records' },
  { name: 'write_backward', bit: 27, width: 1, mainline: '4.7', description: 'write the ring buffer from the end to the beginning' },
  { name: 'namespaces', bit: 28, width: 1, mainline: '4.12', description: 'emit namespace records' },
  { name: 'ksymbol', bit: 29, width: 1, mainline: '5.1', description: 'emit kernel symbol records' },
  { name: 'bpf_event', bit: 30, width: 1, mainline: '5.1', description: 'emit BPF program load/unload records' },
  { name: 'aux_output', bit: 31, width: 1, mainline: '5.4', description: 'generate AUX records instead of events' },
  { name: 'cgroup', bit: 32, width: 1, mainline: '5.7', description: 'emit cgroup records' },
  { name: 'text_poke', bit: 33, width: 1, mainline: '5.9', description: 'emit text poke records' },
  { name: 'build_id', bit: 34, width: 1, mainline: '5.12', description: 'use build id in mmap2 records' },
  { name: 'inherit_thread', bit: 35, width: 1, mainline: '5.13', description: 'children inherit only if cloned with CLONE_THREAD' },
  { name: 'remove_on_exec', bit: 36, width: 1, mainline: '5.13', description: 'the event is removed from the task on exec' },
  { name: 'sigtrap', bit: 37, width: 1, mainline: '5.13', description: 'send a synchronous SIGTRAP on overflow' },
  { name: 'defer_callchain', bit: 38, width: 1, mainline: '6.19', description: 'generate deferred user callchains' },
  { name: 'defer_output', bit: 39, width: 1, mainline: '6.19', description: 'output PERF_RECORD_CALLCHAIN_DEFERRED records' },
];

/** First reserved bit of the flags word (__reserved_1, 24 bits). */
export const ATTR_FLAGS_RESERVED_FIRST_BIT = 40;

/** The aux_action word (u32 at offset 116). */
export const AUX_ACTION_FLAGS: readonly AttrFlag[] = [
  { name: 'aux_start_paused', bit: 0, width: 1, mainline: '6.13', description: 'the AUX area starts paused' },
  { name: 'aux_pause', bit: 1, width: 1, mainline: '6.13', description: 'on overflow, pause the AUX area of the group' },
  { name: 'aux_resume', bit: 2, width: 1, mainline: '6.13', description: 'on overflow, resume the AUX area of the group' },
];
export const AUX_ACTION_RESERVED_FIRST_BIT = 3;

/** Every attr field by its uapi name and by each alias (config1 → bp_addr …), in table order. */
export const ATTR_FIELD_BY_NAME: ReadonlyMap<string, AttrField> = new Map(
  ATTR_FIELDS.flatMap((f) => [f.name, ...(f.aliases ?? [])].map((n): [string, AttrField] => [n, f])),
);

export function fieldByName(name: string): AttrField | undefined {
  return ATTR_FIELD_BY_NAME.get(name);
}

const AUX_ACTION_FIELD = ATTR_FIELD_BY_NAME.get('aux_action')!;
/** Offset of the aux_action word, from the field table. */
export const AUX_ACTION_OFFSET = AUX_ACTION_FIELD.offset;

/** Smallest attr size that holds the whole of a field. */
export function minSizeFor(field: AttrField): number {
  if (field === null || typeof field !== 'object' || !Number.isInteger(field.offset) || typeof field.kind !== 'string') {
    throw invalidArgument('minSizeFor', 'field', field, 'an AttrField from fieldByName() or ATTR_FIELDS');
  }
  return field.offset + fieldWidth(field.kind);
}

/**
 * The smallest published attr size (a PERF_ATTR_SIZE_VER*) that holds every
 * non-zero field of `attr` and, when an aux_action bit is set, the aux_action
 * word. Flag bits live in the VER0 part and need nothing more.
 */
export function smallestAttrSize(attr: Readonly<Record<string, number | bigint | boolean | undefined>>): number {
  objectArg('smallestAttrSize', 'attr', attr, 'an attr object such as { type, config, sample_period }');
  let need = 0;
  for (const [k, v] of Object.entries(attr)) {
    if (v === undefined || v === 0 || v === 0n || v === false) continue;
    const f = fieldByName(k);
    if (f) need = Math.max(need, minSizeFor(f));
    else if (AUX_ACTION_FLAGS.some((a) => a.name === k)) need = Math.max(need, minSizeFor(AUX_ACTION_FIELD));
  }
  return ATTR_SIZE_VERSIONS.find((v) => v.bytes >= need)?.bytes ?? ATTR_SIZE_LATEST;
}

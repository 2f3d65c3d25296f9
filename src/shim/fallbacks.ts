/**
 * The fallback table: for each feature a kernel may lack, what the shim drops
 * or replaces when the capability map says it is missing — and nothing when
 * the map says it is there. The list covers what perf's own tool falls back
 * on when an open fails, plus the later attr bits, written here as data.
 *
 * A rule applies when (1) the attr asks for the feature (`asks`, plus `with` /
 * `without` for combinations) and (2) the map's entry for `featureId` is
 * unsupported or no-hardware. `refuse` rules have no honest fallback: the
 * open fails before any syscall, naming the feature.
 */
import { CLOCK_IDS } from '../abi/constants';

/** Bits or fields of an attr, by uapi short name. */
export interface AttrBits {
  flags?: readonly string[];
  sampleType?: readonly string[];
  readFormat?: readonly string[];
  branch?: readonly string[];
  /** Non-zero attr fields (config3, sample_max_stack, …). */
  fields?: readonly string[];
  /** use_clockid with this clock (CLOCK_IDS name). */
  clock?: string;
}

export interface FallbackRule {
  readonly featureId: string;
  /** The attr asks for the feature when any of these is set. */
  readonly asks: AttrBits;
  /** …and all of these are set as well. */
  readonly with?: AttrBits;
  /** …and none of these is set. */
  readonly without?: AttrBits;
  /**
   * When the rule applies: 'missing' (default) when the map's entry is
   * unsupported or no-hardware; 'supported' when it is supported — for what
   * the kernel requires beside a feature it has (a bit it wants set with it).
   */
  readonly when?: 'missing' | 'supported';
  /**
   * Only for events of a PMU that interrupts by NMI: every type but
   * PERF_TYPE_SOFTWARE (no PERF_PMU_CAP_NO_NMI; perf_event_set_clock).
   */
  readonly nmiPmu?: boolean;
  /** add: set `set` beside what was asked, dropping nothing. */
  readonly action: 'drop' | 'replace' | 'add' | 'refuse';
  /** What is cleared. */
  readonly drop?: AttrBits;
  /** What is set instead (replace). */
  readonly set?: { flags?: Readonly<Record<string, number>>; sampleType?: readonly string[]; fields?: Readonly<Record<string, number>> };
  /** What the user loses, for Adaptation.why and `probe explain`. */
  readonly why: string;
}

const drop = (featureId: string, asks: AttrBits, why: string, extra: Partial<FallbackRule> = {}): FallbackRule =>
  ({ featureId, asks, action: 'drop', drop: asks, why, ...extra });
const flagDrop = (name: string, why: string): FallbackRule => drop(`attr.${name}`, { flags: [name] }, why);
const refuse = (featureId: string, asks: AttrBits, why: string, extra: Partial<FallbackRule> = {}): FallbackRule =>
  ({ featureId, asks, action: 'refuse', why, ...extra });

const MONOTONIC = CLOCK_IDS.find((c) => c.name === 'monotonic')!.value;

export const FALLBACKS: readonly FallbackRule[] = [
  // --- attr flag bits: side-band records and modifiers ---
  flagDrop('sample_id_all', 'records other than samples carry no sample id fields'),
  drop('attr.exclude_guest', { flags: ['exclude_guest', 'exclude_host'] }, 'the kernel has no guest/host split: guest and host are both counted'),
  flagDrop('exclude_host', 'the kernel cannot exclude the host: host execution is counted too'),
  { featureId: 'attr.mmap2', asks: { flags: ['mmap2'] }, action: 'replace', drop: { flags: ['mmap2'] }, set: { flags: { mmap: 1 } },
    why: 'PERF_RECORD_MMAP instead of MMAP2: mappings without inode/device data' },
  flagDrop('comm_exec', 'COMM records do not say whether they come from exec'),
  drop('attr.use_clockid', { flags: ['use_clockid'] }, 'time fields use the perf clock, not the requested clockid',
    { drop: { flags: ['use_clockid'], fields: ['clockid'] } }),
  ...CLOCK_IDS.filter((c) => c.name !== 'monotonic').map((c): FallbackRule => ({
    featureId: `combo.clockid.${c.name}`, asks: { clock: c.name }, action: 'replace', set: { fields: { clockid: MONOTONIC } },
    why: `CLOCK_${c.name.toUpperCase()} is refused for perf time stamps here: CLOCK_MONOTONIC is used`,
  })),
  // perf's clockid_wrong fallback (evsel__open_cpu): a clock this PMU refuses is asked again as CLOCK_MONOTONIC.
  ...CLOCK_IDS.filter((c) => c.name !== 'monotonic').map((c): FallbackRule => ({
    featureId: `combo.clockid_hardware.${c.name}`, asks: { clock: c.name }, nmiPmu: true, action: 'replace', set: { fields: { clockid: MONOTONIC } },
    why: `CLOCK_${c.name.toUpperCase()} is not NMI-safe and this event's PMU interrupts by NMI (perf_event_set_clock): CLOCK_MONOTONIC is used, as perf's clockid_wrong fallback does`,
  })),
  flagDrop('context_switch', 'no PERF_RECORD_SWITCH records'),
  refuse('attr.write_backward', { flags: ['write_backward'] }, 'the ring buffer cannot be written backward; a reader built for that layout would misparse it'),
  flagDrop('namespaces', 'no PERF_RECORD_NAMESPACES records'),
  flagDrop('ksymbol', 'no PERF_RECORD_KSYMBOL records'),
  flagDrop('bpf_event', 'no PERF_RECORD_BPF_EVENT records'),
  refuse('attr.aux_output', { flags: ['aux_output'] }, 'AUX output has no software equivalent'),
  refuse('combo.aux_output', { flags: ['aux_output'] }, 'this PMU cannot send events to the AUX area'),
  flagDrop('cgroup', 'no PERF_RECORD_CGROUP records'),
  flagDrop('text_poke', 'no PERF_RECORD_TEXT_POKE records'),
  flagDrop('build_id', 'MMAP2 records carry inode data instead of a build id'),
  flagDrop('inherit_thread', 'children created without CLONE_THREAD (processes) are inherited too'),
  refuse('attr.remove_on_exec', { flags: ['remove_on_exec'] }, 'the event would keep counting after exec'),
  refuse('attr.sigtrap', { flags: ['sigtrap'] }, 'no synchronous SIGTRAP can be delivered on overflow'),
  { featureId: 'combo.sigtrap_without_remove_on_exec', asks: { flags: ['sigtrap'] }, without: { flags: ['remove_on_exec'] }, action: 'replace',
    set: { flags: { remove_on_exec: 1 } }, why: 'this kernel takes sigtrap only with remove_on_exec: the event is removed on exec' },
  flagDrop('exclude_callchain_kernel', 'callchains include kernel frames'),
  flagDrop('exclude_callchain_user', 'callchains include user frames'),
  flagDrop('mmap_data', 'no MMAP records for data mappings'),
  flagDrop('defer_callchain', 'user callchains are collected at the sample, not deferred'),
  flagDrop('defer_output', 'no PERF_RECORD_CALLCHAIN_DEFERRED records'),
  // --- attr fields ---
  drop('attr.sample_max_stack', { fields: ['sample_max_stack'] }, 'callchains use the system-wide maximum depth'),
  // --- read_format ---
  drop('read_format.id', { readFormat: ['id'] }, 'read() values carry no event id'),
  drop('read_format.lost', { readFormat: ['lost'] }, 'lost-sample counts are not available'),
  drop('read_format.group', { readFormat: ['group'] }, 'each group member is read with its own read()'),
  drop('combo.inherit_group_read', { readFormat: ['group'] }, 'inherited events are read one by one, not as a group',
    { with: { flags: ['inherit'] }, drop: { readFormat: ['group', 'id'] } }),
  // perf_event_alloc (kernel/events/core.c): inherit with PERF_SAMPLE_READ was refused 4.13-6.11 and needs
  // PERF_SAMPLE_TID from 6.12 (values are per thread). perf's evsel__config adds TID with inherit; where the
  // combination is missing, evsel__detect_missing_features drops inherit. Both as perf does.
  { featureId: 'combo.inherit_sample_read', asks: { sampleType: ['read'] }, with: { flags: ['inherit'] }, without: { sampleType: ['tid'] },
    when: 'supported', action: 'add', set: { sampleType: ['tid'] },
    why: 'the kernel takes inherit with PERF_SAMPLE_READ only beside PERF_SAMPLE_TID (6.12+): samples carry pid/tid as well' },
  { featureId: 'combo.inherit_sample_read', asks: { sampleType: ['read'] }, with: { flags: ['inherit'] }, action: 'drop', drop: { flags: ['inherit', 'inherit_thread', 'inherit_stat'] },
    why: 'inherited events cannot put counter values in samples here: child tasks are not counted (inherit dropped, as perf does)' },
  // --- sample_type ---
  { featureId: 'sample_type.weight_struct', asks: { sampleType: ['weight_struct'] }, action: 'replace', drop: { sampleType: ['weight_struct'] },
    set: { sampleType: ['weight'] }, why: 'PERF_SAMPLE_WEIGHT (one u64) instead of the weight struct' },
  drop('sample_type.data_page_size', { sampleType: ['data_page_size'] }, 'samples carry no data page size'),
  drop('sample_type.code_page_size', { sampleType: ['code_page_size'] }, 'samples carry no code page size'),
  { featureId: 'sample_type.identifier', asks: { sampleType: ['identifier'] }, action: 'replace', drop: { sampleType: ['identifier'] },
    set: { sampleType: ['id'] }, why: 'PERF_SAMPLE_ID instead of IDENTIFIER: the id is not at a fixed position' },
  drop('sample_type.cgroup', { sampleType: ['cgroup'] }, 'samples carry no cgroup id'),
  // --- branch_sample_type ---
  drop('branch_sample_type.hw_index', { branch: ['hw_index'] }, 'branch stacks carry no hardware index'),
  drop('branch_sample_type.no_flags', { branch: ['no_flags'] }, 'branch entries keep their flags'),
  drop('branch_sample_type.no_cycles', { branch: ['no_cycles'] }, 'branch entries keep their cycle counts'),
  drop('branch_sample_type.type_save', { branch: ['type_save'] }, 'branch entries carry no branch type'),
  drop('branch_sample_type.priv_save', { branch: ['priv_save'] }, 'branch entries carry no privilege mode'),
  drop('branch_sample_type.counters', { branch: ['counters'] }, 'branch entries carry no event counters'),
];

/** The close-on-exec path is decided by the map too, outside the attr. */
export const CLOEXEC_FEATURE = 'open_flags.fd_cloexec';

/**
 * The base events probes are opened on. Software bases are PMU-independent,
 * so a machine without a hardware PMU still answers every core feature; they
 * count user space only so that perf_event_paranoid 2 does not refuse them.
 *
 * A hardware base carries no restriction the caller does not need: it is
 * opened in the least restricted form this caller and PMU take (see
 * resolveBaseForm) — with kernel space where the caller may count it, since
 * PMUs with PERF_PMU_CAP_NO_EXCLUDE (AMD IBS, which takes precise cycles
 * from amd_pmu_hw_config via forward_event_to_ibs; riscv_pmu_legacy; Arm
 * PMUs without filtering) refuse every exclude_* bit (perf_try_init_event,
 * EINVAL, since 5.0); and with exclude_guest where the PMU opens events only
 * with it (Apple's m1_pmu_set_event_filter: EOPNOTSUPP through __hw_perf_event_init).
 */
import type { AttrInput } from '../abi/attr-codec';
import { errnoName } from '../abi/errno';
import { PERF_TYPE } from '../abi/constants';
import { isTransient, statusOfErrno } from '../model/errno-class';
import type { BaseName } from './declaration';

const SW_CPU_CLOCK = 0;
const SW_DUMMY = 9;
const HW_CPU_CYCLES = 0;
/** Far above any registered PMU type: perf_init_event answers ENOENT. */
export const UNREGISTERED_PMU_TYPE = 0x7ffffff0;
/** Never reached in the microseconds a probe lives; the event stays disabled anyway. */
export const PROBE_SAMPLE_PERIOD = 1_000_000_000;

const USER_ONLY = { disabled: 1, exclude_kernel: 1, exclude_hv: 1 } as const;

export const BASES: Readonly<Record<BaseName, AttrInput>> = {
  counting: { type: PERF_TYPE.SOFTWARE, config: SW_CPU_CLOCK, ...USER_ONLY },
  sampling: { type: PERF_TYPE.SOFTWARE, config: SW_CPU_CLOCK, sample_period: PROBE_SAMPLE_PERIOD, ...USER_ONLY },
  dummy: { type: PERF_TYPE.SOFTWARE, config: SW_DUMMY, ...USER_ONLY },
  hardware: { type: PERF_TYPE.HARDWARE, config: HW_CPU_CYCLES, ...USER_ONLY },
  'hardware-sampling': { type: PERF_TYPE.HARDWARE, config: HW_CPU_CYCLES, sample_period: PROBE_SAMPLE_PERIOD, ...USER_ONLY },
  none: { ...USER_ONLY },
};

export const BASE_LABELS: Readonly<Record<BaseName, string>> = {
  counting: 'software/cpu-clock',
  sampling: 'software/cpu-clock (sampling)',
  dummy: 'software/dummy',
  hardware: 'hardware/cpu-cycles',
  'hardware-sampling': 'hardware/cpu-cycles (sampling)',
  none: 'none',
};

/** The oracle: the same attr on a PMU type nobody registered. */
export function oracleAttr(attr: AttrInput): AttrInput {
  return { ...attr, type: UNREGISTERED_PMU_TYPE, config: 0 };
}

/** The bases that live on the CPU's PMU, whose exclusion form is measured. */
const PMU_BASES: ReadonlySet<BaseName> = new Set<BaseName>(['hardware', 'hardware-sampling']);

/** The exclusion bits of a base form: none, user space only, and each with exclude_guest. */
const FORMS: readonly AttrInput[] = [
  {},
  { exclude_kernel: 1, exclude_hv: 1 },
  { exclude_guest: 1 },
  { exclude_kernel: 1, exclude_hv: 1, exclude_guest: 1 },
];

/** The forms a base is tried in, least restricted first (one form for PMU-independent bases). */
export function baseVariants(name: BaseName): AttrInput[] {
  const attr = BASES[name];
  if (!PMU_BASES.has(name)) return [attr];
  const { exclude_kernel: _k, exclude_hv: _h, ...bare } = attr;
  return FORMS.map((f) => ({ ...bare, ...f }));
}

/** A refusal of the form, not of the caller: the PMU takes another set of exclude bits. */
function formRefused(errno: number): boolean {
  const n = errnoName(errno);
  return n === 'EINVAL' || n === 'EOPNOTSUPP';
}

/**
 * Open `name`'s forms in order with `tryOpen` (undefined: it opened; else the
 * errno) and keep the first that opens. When none does, the answer is the
 * user-space-only form's refusal (what an unprivileged caller meets), except
 * where that form is refused by the PMU (it takes no exclude bit) and the
 * unrestricted one by permission: then the caller is denied, not the hardware
 * absent. A fault of the moment stops at once (asked again later).
 */
export function resolveBaseForm(name: BaseName, tryOpen: (attr: AttrInput) => number | undefined): { attr: AttrInput; errno?: number } {
  const forms = baseVariants(name);
  const errnos: number[] = [];
  for (const attr of forms) {
    const errno = tryOpen(attr);
    if (errno === undefined) return { attr };
    if (isTransient(errno)) return { attr, errno };
    errnos.push(errno);
  }
  if (forms.length === 1) return { attr: forms[0]!, errno: errnos[0]! };
  const [whole, userOnly] = [errnos[0]!, errnos[1]!];
  if (formRefused(userOnly) && statusOfErrno(whole) === 'denied') return { attr: forms[0]!, errno: whole };
  return { attr: forms[1]!, errno: userOnly };
}

/** The user-space-only fields, the form a caller denied kernel counting may open. */
export const USER_SPACE_ONLY: Readonly<Record<string, number>> = { exclude_kernel: 1, exclude_hv: 1 };

/**
 * The user-space-only form of an open that was denied, or undefined when the
 * open already was one (no more restricted form of the same question).
 */
export function userSpaceForm(attr: AttrInput): AttrInput | undefined {
  if (Number(attr.exclude_kernel ?? 0) === 1 && Number(attr.exclude_hv ?? 0) === 1) return undefined;
  return { ...attr, ...USER_SPACE_ONLY };
}

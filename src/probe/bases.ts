/**
 * The base events probes are opened on. Software bases are PMU-independent,
 * so a machine without a hardware PMU still answers every core feature; they
 * count user space only so that perf_event_paranoid 2 does not refuse them.
 */
import type { AttrInput } from '../abi/attr-codec';
import { PERF_TYPE } from '../abi/constants';
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

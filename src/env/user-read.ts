/**
 * How a core PMU lets user space read its counters (rdpmc on x86, PMEVCNTR
 * reads on arm64), from its description. Pure.
 *
 * - arm64 (drivers/perf/arm_pmuv3.c since 5.17): only on request —
 *   __armv8_pmuv3_map_event sets PERF_EVENT_FLAG_USER_READ_CNT for an event
 *   with the `rdpmc` format term (format/rdpmc = config1:1) opened on a task,
 *   and armv8pmu_user_event_idx shows its counter only while the
 *   kernel.perf_user_access sysctl is 1.
 * - x86 (arch/x86/events/core.c): no request term; x86_pmu_event_mapped
 *   grants every mmapped hardware event (unless /sys/.../cpu/rdpmc is 0), and
 *   x86_pmu_event_idx is the counter + 1.
 */
import type { PmuInfo } from '../model/capability-map';

/** The attr bit that asks for user reads: the PMU's one-bit `rdpmc` format term. */
export interface UserReadRequest {
  /** config, config1 … */
  field: string;
  bit: number;
  /** The term as sysfs spells it, e.g. "config1:1". */
  spec: string;
}

const ONE_BIT = /^(config[1-4]?):([0-9]|[1-5][0-9]|6[0-3])$/;

/** The PMU's user-read request term, or undefined when it has none (x86: reads need no request). */
export function userReadRequest(pmu: Pick<PmuInfo, 'formats'>): UserReadRequest | undefined {
  const spec = pmu.formats['rdpmc']?.trim();
  const m = spec !== undefined ? ONE_BIT.exec(spec) : null;
  return m ? { field: m[1]!, bit: Number(m[2]), spec: spec! } : undefined;
}

import { PersonaSpec, x86Pmu } from '../persona';

/**
 * A Skylake client on 6.1 with its three fixed counters modelled: 4
 * general-purpose counters per thread (HT on) and fixed counters 0
 * (INST_RETIRED.ANY: instructions), 1 (CPU_CLK_UNHALTED.CORE: cycles) and 2
 * (CPU_CLK_UNHALTED.REF: ref-cycles). Rules followed:
 * - arch/x86/events/intel/core.c, intel_pmu_init: num_counters 4 (8 with HT
 *   off), num_counters_fixed 3; the event constraints put
 *   FIXED_EVENT_CONSTRAINT(0x00c0, 0), (0x003c, 1), (0x0300, 2)
 *   (arch/x86/events/perf_event.h) beside the general counters, so those
 *   events take a fixed counter first and a general one when it is taken
 *   (x86_schedule_events / perf_assign_events); every other event only a
 *   general counter.
 * - arch/x86/events/core.c, validate_group: the group is scheduled on a fake
 *   cpuc (x86_pmu.schedule_events); a group that cannot be is EINVAL at open.
 * So a group of cycles events runs GP + 1, alternating cycles and
 * instructions GP + 2, and any other event GP.
 */
const persona: PersonaSpec = {
  name: 'intel-fixed-counters',
  description: '6.1 on a Skylake client: 4 general-purpose counters and fixed counters for instructions, cycles and ref-cycles',
  release: '6.1.0-28-amd64',
  base: '6.1',
  pmu: x86Pmu({
    counters: 7,
    dedicated: [
      { events: ['instructions'], counters: 1 },
      { events: ['cpu_cycles'], counters: 1 },
      { events: ['ref_cpu_cycles'], counters: 1 },
    ],
  }),
};
export default persona;

import { PersonaPmu, PersonaSpec } from '../persona';

/**
 * An arm64 big.LITTLE board (RK3399-like: four Cortex-A53, two Cortex-A72) on
 * a 6.12 kernel. The rules are drivers/perf/arm_pmu.c and arm_pmuv3.c:
 *
 * - One PMU per cluster: armv8_pmu_device_probe probes each CPU type
 *   (armv8_cortex_a53_pmu_init, armv8_cortex_a72_pmu_init) and armpmu_register
 *   registers each as its own PMU, perf_pmu_register(&pmu->pmu, name, -1): a
 *   dynamic type from the pmu idr, the sysfs `cpus` file (armpmu_cpumask_show)
 *   listing its supported_cpus.
 * - Counters: __armv8pmu_probe_pmu reads PMCR_EL0.N on a CPU of the cluster
 *   (both cores: 6) and adds the cycle counter: 6+1 on each PMU, CPU_CYCLES
 *   first on the cycle counter (armv8pmu_get_event_idx).
 * - CPUs: armpmu_event_init refuses an event bound to a CPU outside the PMU's
 *   supported_cpus with ENOENT, so perf_init_event walks on to the next PMU for
 *   a generic (or raw) type without a PMU named, and answers ENOENT for one that
 *   names the PMU (its own type, or PERF_TYPE_HARDWARE/HW_CACHE with the type in
 *   config bits 32+: arm_pmu has PERF_PMU_CAP_EXTENDED_HW_TYPE since 6.6,
 *   commit 5c816728651a).
 * - Events: __armv8_pmuv3_map_event keeps a generic event only if PMCEID
 *   advertises it; the A53 has no STALL_FRONTEND/STALL_BACKEND.
 * - Groups, filters, user access: as on every PMUv3 (see qemu-arm64-pmuv3):
 *   validate_group skips OFF events, exclude_idle is EOPNOTSUPP, config1:rdpmc.
 */
function cluster(name: string, type: number, cpus: number[], stalls: boolean): PersonaPmu {
  const common = ['cpu_cycles', 'instructions', 'cache_references', 'cache_misses', 'branch_instructions', 'branch_misses', 'bus_cycles'];
  const hardwareEvents = stalls ? [...common, 'stalled_cycles_frontend', 'stalled_cycles_backend'] : common;
  return {
    name, type, cpus, counters: 7,
    maxPrecise: 3, honouredPrecise: 0, branchStack: false,
    hardwareEvents,
    hwCache: ['l1d.read.access', 'l1d.read.miss', 'l1i.read.access', 'l1i.read.miss', 'bpu.read.access', 'bpu.read.miss'],
    dedicated: [{ events: ['cpu_cycles', 'r11'], counters: 1, userIndex: 32 }],
    wide: { config1Bit: 0, chained: true },
    userRead: { config1Bit: 1 },
    refusesExcludeIdle: true,
    groupValidation: 'enabled',
    formats: { event: 'config:0-15', long: 'config1:0', rdpmc: 'config1:1' },
    mmapCaps: ['cap_user_rdpmc', 'cap_user_time', 'cap_user_time_zero', 'cap_user_time_short'],
  };
}

const persona: PersonaSpec = {
  name: 'arm64-big-little',
  description: '6.12 arm64 big.LITTLE: armv8_cortex_a53 (CPUs 0-3) and armv8_cortex_a72 (CPUs 4-5), 6+1 counters each, events bound to a CPU of the other cluster ENOENT',
  release: '6.12.20-arm64',
  machine: 'aarch64',
  base: '6.12',
  cpus: 6,
  pmu: cluster('armv8_cortex_a53', 8, [0, 1, 2, 3], false),
  hybridPmus: [cluster('armv8_cortex_a72', 9, [4, 5], true)],
  softwareMmapCaps: ['cap_user_time', 'cap_user_time_zero', 'cap_user_time_short'],
  breakpointSlots: 6,
};
export default persona;

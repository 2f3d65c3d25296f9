import { PersonaSpec } from '../persona';

/**
 * Debian trixie's cloud-arm64 kernel (6.12) under qemu-system-aarch64 -M virt
 * -cpu max -smp 1 (TCG): the armv8_pmuv3 driver on qemu's emulated PMUv3, as
 * the kernel matrix boots it (its REPORT.md: type 10, the sysfs format and
 * events below, paranoid 3, perf_user_access 0). The rules are the driver's, drivers/perf/arm_pmu.c
 * and drivers/perf/arm_pmuv3.c (arch/arm64/kernel/perf_event.c before 6.4),
 * and hold for 6.12 through current mainline (sid); user-space reads with
 * config1:rdpmc and kernel.perf_user_access came with 5.17.
 *
 * - Counters: __armv8pmu_probe_pmu reads PMCR_EL0.N event counters (qemu: 6)
 *   and adds the cycle counter: 7, "7 (0,8000003f) counters available" in the
 *   boot log. armv8pmu_get_event_idx puts CPU_CYCLES (generic cycles, or raw
 *   0x11) on the cycle counter first, then on an event counter
 *   (armv8pmu_get_single_idx): 7 cycles events run at once, 6 of anything else.
 *   A 64-bit event (config1:long) without PMUv3p5 long counters takes an
 *   even/odd pair (armv8pmu_get_chain_idx, armv8pmu_event_is_chained); qemu's
 *   documentation lists PMUv3p1 and PMUv3p4, not p5.
 * - Events: __armv8_pmuv3_map_event maps a generic event and keeps it only if
 *   PMCEID advertises it, else armpmu_map_hw_event / armpmu_map_cache_event
 *   without an extra table answer ENOENT (armpmu_event_init returns it).
 *   qemu's PMCEID (target/arm pm_events): SW_INCR, CPU_CYCLES,
 *   STALL_FRONTEND, STALL_BACKEND, STALL; INST_RETIRED only with -icount, so
 *   `instructions` is ENOENT; no cache event is advertised. The STALL events
 *   never fire in qemu (zero_event_get_count): they open and count 0.
 * - precise_ip: no arm_pmu function looks at it; every level opens and no
 *   sample carries PERF_RECORD_MISC_EXACT_IP (armv8pmu_handle_irq takes the
 *   interrupted regs as they are).
 * - Filters: armv8pmu_set_event_filter refuses exclude_idle, and
 *   __hw_perf_event_init turns that into EOPNOTSUPP; exclude_user/kernel/hv/
 *   host/guest are filter bits. has_branch_stack → EOPNOTSUPP (armpmu_event_init).
 * - Groups: validate_group puts the leader, the siblings and the new event on
 *   a fake used_mask with get_event_idx; validate_event skips events that are
 *   OFF (disabled, no enable_on_exec), so a group of disabled events opens at
 *   any size and runs only when it fits.
 * - User access: config1:rdpmc (format/rdpmc = config1:1) on an event of a
 *   task sets PERF_EVENT_FLAG_USER_READ_CNT (a CPU-wide one is EINVAL; a
 *   64-bit non-cycles one without long counters EOPNOTSUPP);
 *   arch_perf_update_userpage sets cap_user_rdpmc from that flag and
 *   pmc_width 32 (64 with config1:long); armv8pmu_user_event_idx gives the
 *   page a counter index (32 for the cycle counter) only while
 *   kernel.perf_user_access is 1 — at 0 the index stays 0 and armv8pmu_start
 *   leaves PMUSERENR_EL0 clear. Without config1:rdpmc cap_user_rdpmc is 0.
 * - Time: arch_perf_update_userpage sets cap_user_time, _zero and _short for
 *   every event when sched_clock is the arch timer (as on -M virt).
 */
const persona: PersonaSpec = {
  name: 'qemu-arm64-pmuv3',
  description: 'Debian trixie 6.12 arm64 under qemu -cpu max: armv8_pmuv3 with a cycle counter and 6 event counters, no instructions event, precise_ip ignored, rdpmc by config1 and perf_user_access',
  release: '6.12.118+deb13-cloud-arm64',
  version: '#1 SMP Debian 6.12.118-1',
  machine: 'aarch64',
  base: '6.12',
  cpus: 1,
  pmu: {
    name: 'armv8_pmuv3', type: 10, counters: 7,
    maxPrecise: 3, honouredPrecise: 0, branchStack: false,
    hardwareEvents: ['cpu_cycles', 'stalled_cycles_frontend', 'stalled_cycles_backend'],
    hwCache: [],
    neverCounts: ['stalled_cycles_frontend', 'stalled_cycles_backend'],
    dedicated: [{ events: ['cpu_cycles', 'r11'], counters: 1, userIndex: 32 }],
    wide: { config1Bit: 0, chained: true },
    userRead: { config1Bit: 1 },
    refusesExcludeIdle: true,
    groupValidation: 'enabled',
    formats: {
      event: 'config:0-15', long: 'config1:0', rdpmc: 'config1:1',
      threshold: 'config1:5-16', threshold_compare: 'config1:3-4', threshold_count: 'config1:2',
    },
    // armv8pmu_event_attr_is_visible: the events/ of sysfs are those PMCEID advertises.
    sysfsEvents: ['cpu_cycles', 'stall', 'stall_backend', 'stall_frontend'],
    mmapCaps: ['cap_user_rdpmc', 'cap_user_time', 'cap_user_time_zero', 'cap_user_time_short'],
  },
  softwareMmapCaps: ['cap_user_time', 'cap_user_time_zero', 'cap_user_time_short'],
  // Debian's default; root (the default caller) has CAP_SYS_ADMIN. Booted with perf_user_access 0.
  paranoid: 3,
  perfUserAccess: 0,
  breakpointSlots: 6,
};
export default persona;

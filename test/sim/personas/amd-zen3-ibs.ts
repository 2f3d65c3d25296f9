import { PersonaSpec, x86Pmu } from '../persona';

/**
 * AMD Zen 3 (family 19h) on Debian 12's 6.1: the core PMU `cpu` has no PEBS;
 * precise cycles go to IBS. amd_pmu_hw_config (arch/x86/events/amd/core.c)
 * calls forward_event_to_ibs (arch/x86/events/amd/ibs.c, 5.19+) for any event
 * with precise_ip when get_ibs_caps() is set: levels 1 and 2 of cycles (raw
 * 0x76, 0xc1) become an ibs_op event (-ENOENT, so perf_init_event asks the
 * other PMUs), 3 is EOPNOTSUPP. perf_ibs_op carries PERF_PMU_CAP_NO_EXCLUDE
 * until the software filter of 6.14 (config2 swfilt), so perf_try_init_event
 * refuses any exclude_* bit with EINVAL: precise cycles open only with kernel
 * space counted, i.e. for a caller allowed to count it. perf_ibs_handle_irq
 * sets PERF_EFLAGS_EXACT from IbsOpRip: samples carry
 * PERF_RECORD_MISC_EXACT_IP. The ibs_op / ibs_fetch PMUs themselves count
 * nothing per task (sampling only) and refuse exclusions as well.
 */
const persona: PersonaSpec = {
  name: 'amd-zen3-ibs',
  description: '6.1 on AMD Zen 3: core PMU without PEBS, precise cycles forwarded to IBS (levels 1-2, no exclude bits)',
  release: '6.1.0-27-amd64',
  version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1',
  base: '6.1',
  cpus: 4,
  pmu: x86Pmu({
    counters: 6, maxPrecise: 2, honouredPrecise: 2, branchStack: false,
    rules: { preciseVia: { pmu: 'ibs_op', maxPrecise: 2, noExclude: true } },
  }),
  extraPmus: [
    { name: 'ibs_fetch', type: 11, events: { fetch: 0 } },
    { name: 'ibs_op', type: 12, events: { op: 0 } },
  ],
};
export default persona;

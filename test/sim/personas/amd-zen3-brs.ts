import { PersonaSpec, x86Pmu } from '../persona';

/**
 * AMD Zen 3 (Fam19h) on 6.1: 6 general counters, no fixed ones, branch
 * stacks only by BRS. The rules are arch/x86/events/amd/brs.c (5.19+):
 * amd_brs_hw_config takes PERF_SAMPLE_BRANCH_STACK only on a sampling event
 * (EINVAL when counting) whose event is retired taken branches (raw 0xc4,
 * AMD_FAM19H_BRS_EVENT; no generic event maps to it), in period mode (freq:
 * EINVAL) with a period above the 16-entry depth; amd_brs_setup_filter
 * accepts no filter but ANY beside the privilege bits (EINVAL). Generic
 * precise_ip (IBS forwarding) is not modelled here: maxPrecise 0.
 * perf_event_set_clock as on every x86 core PMU (no PERF_PMU_CAP_NO_NMI).
 */
const persona: PersonaSpec = {
  name: 'amd-zen3-brs',
  description: '6.1 on AMD Zen 3: 6 counters, branch stacks by BRS on retired taken branches (raw 0xc4) only',
  release: '6.1.0-28-amd64',
  base: '6.1',
  cpus: 4,
  pmu: x86Pmu({ counters: 6, maxPrecise: 0, driver: { brs: { depth: 16 } } }),
};
export default persona;

/**
 * Combinations users trip over, where the kernel's answer depends on more than
 * one field: inherit with PERF_FORMAT_GROUP, inherit with PERF_SAMPLE_READ,
 * sigtrap without remove_on_exec, exclude_guest/exclude_host on hardware,
 * the highest precise_ip that opens, each clockid, aux_output in an AUX
 * group, a hardware leader with a software member, and the largest group the
 * PMU actually runs. The hooks that open more than one event live beside
 * this file, one per combination.
 */
import { CLOCK_IDS, PERF_FORMAT, PERF_SAMPLE } from '../../src/abi/constants';
import type { ProbeDeclaration } from '../../src/probe/contract';
import { auxOutputHook } from './aux-output';
import { schedulabilityHook } from './group-limit';
import { hwSwGroupHook } from './hw-sw-group';
import { preciseIpHook } from './precise-ip';

const SAMPLE_READ = PERF_SAMPLE.READ!;
const SAMPLE_TID = PERF_SAMPLE.TID!;

export const comboProbes: ProbeDeclaration[] = [
  {
    id: 'combo.inherit_group_read', base: 'counting', set: { inherit: 1, read_format: PERF_FORMAT.GROUP }, needs: ['attr.inherit'],
    description: 'inherit together with PERF_FORMAT_GROUP (read a whole inherited group at once)',
  },
  {
    id: 'combo.inherit_sample_read', base: 'sampling', set: { inherit: 1, sample_type: SAMPLE_READ | SAMPLE_TID }, needs: ['attr.inherit'],
    description: 'inherit together with PERF_SAMPLE_READ in sampling mode',
  },
  {
    id: 'combo.sigtrap_without_remove_on_exec', base: 'counting', set: { sigtrap: 1 }, needs: ['attr.sigtrap'],
    description: 'sigtrap without remove_on_exec (the kernel requires both)',
    note: 'the kernel requires remove_on_exec with sigtrap; the shim always sets both',
  },
  { id: 'combo.exclude_guest', base: 'hardware', set: { exclude_guest: 1 }, description: 'exclude_guest on this PMU' },
  { id: 'combo.exclude_host', base: 'hardware', set: { exclude_host: 1 }, description: 'exclude_host on this PMU' },
  {
    id: 'combo.precise_ip', base: 'hardware-sampling', hook: preciseIpHook,
    description: 'highest precise_ip (skid constraint) level that opens',
  },
  ...CLOCK_IDS.map((c): ProbeDeclaration => ({
    id: `combo.clockid.${c.name}`, base: 'counting', set: { use_clockid: 1, clockid: c.value }, needs: ['attr.use_clockid'],
    description: `use_clockid with CLOCK_${c.name.toUpperCase()} for sample timestamps, on a software event`,
  })),
  // perf_event_set_clock (kernel/events/core.c, 4.1+) takes the clocks that are not NMI-safe (realtime,
  // boottime, tai) only on PMUs with PERF_PMU_CAP_NO_NMI — the software ones. Hardware counters (x86 core,
  // uncore) interrupt by NMI: asked on the hardware PMU itself, where the software answer says the kernel has the clock.
  ...CLOCK_IDS.map((c): ProbeDeclaration => ({
    id: `combo.clockid_hardware.${c.name}`, base: 'hardware', set: { use_clockid: 1, clockid: c.value }, needs: [`combo.clockid.${c.name}`],
    errnos: { EINVAL: 'no-hardware' },
    description: `use_clockid with CLOCK_${c.name.toUpperCase()} on a hardware event (a PMU without PERF_PMU_CAP_NO_NMI)`,
    note: 'perf_event_set_clock: a PMU that interrupts by NMI (no PERF_PMU_CAP_NO_NMI) takes only the NMI-safe clocks, monotonic and monotonic_raw',
  })),
  {
    id: 'combo.aux_output', base: 'hardware-sampling', hook: auxOutputHook,
    description: 'aux_output: a group leader with an AUX event feeding records',
    note: 'aux_output needs PERF_PMU_CAP_AUX_OUTPUT on the member\'s PMU (x86: PEBS via PT, intel_pmu_hw_config, with precise_ip)',
  },
  { id: 'combo.hw_sw_group', base: 'hardware', hook: hwSwGroupHook, description: 'a software event in a hardware-led group' },
  {
    id: 'combo.group_schedulability', base: 'hardware', hook: schedulabilityHook,
    description: 'largest event group that is actually scheduled and counts',
  },
];

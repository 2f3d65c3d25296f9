import { PersonaSpec, x86Pmu } from '../persona';

/** A 6.6 built without CONFIG_CGROUP_PERF: PERF_SAMPLE_CGROUP and PERF_FLAG_PID_CGROUP are refused. */
const persona: PersonaSpec = {
  name: 'compiled-out-6.6',
  description: '6.6 built without CONFIG_CGROUP_PERF (sample_type.cgroup, open_flags.pid_cgroup missing)',
  release: '6.6.58-minimal',
  base: '6.6',
  remove: ['sample_type.cgroup', 'open_flags.pid_cgroup'],
  pmu: x86Pmu(),
};
export default persona;

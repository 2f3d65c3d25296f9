import { PersonaSpec, x86Pmu } from '../persona';

/**
 * A RHEL 7 style kernel: reports 3.10 but carries much of 4.x (use_clockid,
 * context switch records, write_backward, pause_output, FD_CLOEXEC, mmap2).
 */
const persona: PersonaSpec = {
  name: 'rhel7-backports',
  description: 'RHEL-style 3.10.0-1160 with 3.12–4.7 perf features backported',
  release: '3.10.0-1160.el7.x86_64',
  version: '#1 SMP Mon Oct 19 16:18:59 UTC 2020',
  base: '3.10',
  add: [
    'attr.mmap2', 'attr.comm_exec', 'attr.use_clockid', 'attr.clockid', 'attr.context_switch', 'attr.write_backward',
    'combo.clockid.realtime', 'combo.clockid.monotonic', 'combo.clockid.monotonic_raw', 'combo.clockid.boottime', 'combo.clockid.tai',
    'sample_type.identifier', 'sample_type.transaction', 'ioctl.id', 'ioctl.pause_output', 'open_flags.fd_cloexec', 'check.open_flags',
    'event.software.dummy', 'mmap.cap_bit0', 'mmap.cap_bit0_is_deprecated', 'mmap.cap_user_rdpmc', 'mmap.cap_user_time', 'mmap.cap_user_time_zero',
  ],
  pmu: x86Pmu({ mmapCaps: ['cap_user_rdpmc', 'cap_user_time', 'cap_user_time_zero'] }),
};
export default persona;

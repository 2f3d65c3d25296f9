/**
 * One line saying what a feature id is: from the ABI tables for ABI ids, from
 * the id's pattern for events, PMUs, mmap capabilities, access and combos. Pure.
 */
import { abiFeature } from '../abi/features';

const COMBOS: Record<string, string> = {
  inherit_group_read: 'inherit together with PERF_FORMAT_GROUP (read a whole inherited group at once)',
  inherit_sample_read: 'inherit together with PERF_SAMPLE_READ in sampling mode',
  sigtrap_without_remove_on_exec: 'sigtrap without remove_on_exec (the kernel requires both)',
  exclude_guest: 'exclude_guest on this PMU',
  exclude_host: 'exclude_host on this PMU',
  precise_ip: 'highest precise_ip (skid constraint) level that opens',
  aux_output: 'aux_output: a group leader with an AUX event feeding records',
  hw_sw_group: 'a software event in a hardware-led group',
  group_schedulability: 'largest event group that is actually scheduled and counts',
};

const ACCESS: Record<string, string> = {
  kernel: 'counting kernel space (exclude_kernel=0) allowed for this caller',
  cpu_wide: 'cpu-wide counting (pid=-1 on one CPU) allowed for this caller',
};

export function describeFeature(id: string): string | undefined {
  const abi = abiFeature(id);
  if (abi !== undefined) return `${abi.uapi}: ${abi.description}`;
  const parts = id.split('.');
  const [kind, a, b, c] = parts;
  switch (kind) {
    case 'event':
      if (a === 'hardware' && b !== undefined) return `generic hardware event ${b} (PERF_TYPE_HARDWARE, PERF_COUNT_HW_${b.toUpperCase()})`;
      if (a === 'software' && b !== undefined) return `software event ${b} (PERF_TYPE_SOFTWARE, PERF_COUNT_SW_${b.toUpperCase()})`;
      if (a === 'hw_cache' && b !== undefined) return `hardware cache event ${b}-${c ?? '?'}-${parts[4] ?? '?'} (PERF_TYPE_HW_CACHE)`;
      if (a === 'breakpoint') return 'hardware breakpoints (PERF_TYPE_BREAKPOINT)';
      if (a === 'tracepoint') return 'tracepoint events (PERF_TYPE_TRACEPOINT)';
      return undefined;
    case 'pmu':
      return a !== undefined ? `the ${parts.slice(1).join('.')} PMU under /sys/bus/event_source/devices` : undefined;
    case 'mmap':
      if (a === 'ring_buffer') return 'mmap of an event fd: control page and ring buffer';
      return a !== undefined ? `mmap control-page capability ${a}` : undefined;
    case 'access':
      return a !== undefined ? ACCESS[a] : undefined;
    case 'combo':
      if (a === 'clockid' && b !== undefined) return `use_clockid with CLOCK_${b.toUpperCase()} for sample timestamps`;
      return a !== undefined ? COMBOS[a] : undefined;
    case 'behaviour':
      return a !== undefined ? `behaviour check ${parts.slice(1).join('.')}: accepted and also does what it should` : undefined;
    default:
      return undefined;
  }
}

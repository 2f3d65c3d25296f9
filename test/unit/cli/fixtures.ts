/**
 * Hand-made capability maps for the CLI's unit tests: a small but realistic
 * map (a VM without a PMU) and helpers to derive variants from it.
 */
import { CAPABILITY_SCHEMA, type CapabilityMap, type FeatureEntry } from '../../../src/model/capability-map';

export function entry(status: FeatureEntry['status'], extra: Partial<FeatureEntry> = {}): FeatureEntry {
  return { status, ...extra };
}

export function vmMap(): CapabilityMap {
  const hw = ['cpu_cycles', 'instructions', 'cache_references', 'cache_misses', 'branch_instructions', 'branch_misses', 'bus_cycles'];
  const features: Record<string, FeatureEntry> = {
    'attr.size': entry('supported', { value: 136, mainline: '2.6.31', base: 'software/cpu-clock' }),
    'attr.sigtrap': entry('supported', { mainline: '5.13', base: 'software/cpu-clock', set: { sigtrap: 1, remove_on_exec: 1 }, needs: ['attr.remove_on_exec'] }),
    'attr.remove_on_exec': entry('supported', { mainline: '5.13', base: 'software/cpu-clock', set: { remove_on_exec: 1 } }),
    'attr.defer_callchain': entry('unsupported', { errno: 22, errnoName: 'EINVAL', mainline: '6.19', base: 'software/cpu-clock', set: { defer_callchain: 1 }, reason: 'the kernel rejects the bit on a base it accepts' }),
    'read_format.group': entry('supported', { mainline: '2.6.31', base: 'software/cpu-clock', set: { read_format: 8 } }),
    'read_format.lost': entry('supported', { mainline: '6.0', base: 'software/cpu-clock', set: { read_format: 16 } }),
    'sample_type.ip': entry('supported', { mainline: '2.6.31' }),
    'branch_sample_type.any': entry('untestable', { mainline: '3.4', reason: 'no PMU with branch stacks here' }),
    'ioctl.modify_attributes': entry('supported', { mainline: '4.17' }),
    'event.software.cpu_clock': entry('supported'),
    'event.software.task_clock': entry('supported'),
    'event.breakpoint': entry('supported'),
    'pmu.software': entry('supported'),
    'access.kernel': entry('denied', { errno: 13, errnoName: 'EACCES', reason: 'perf_event_paranoid 2 forbids counting kernel space without CAP_PERFMON' }),
    'combo.precise_ip': entry('supported', { value: 0 }),
  };
  for (const h of hw) features[`event.hardware.${h}`] = entry('no-hardware', { errno: 2, errnoName: 'ENOENT', reason: 'no hardware PMU' });
  return {
    schema: CAPABILITY_SCHEMA,
    engineVersion: '0.1.0',
    kernel: { release: '6.18.0-test', version: '#1 SMP', machine: 'x86_64', semver: '6.18.0' },
    environment: {
      arch: 'x64', paranoid: 2, euid: 1000,
      capabilities: { effective: '0000000000000000', perfmon: false, sysAdmin: false, bpf: false },
      seccomp: { mode: 0, filters: 0 },
      container: ['hypervisor cpu flag'],
      pmus: [
        { name: 'software', type: 1, formats: {}, caps: {}, events: [] },
        { name: 'tracepoint', type: 2, formats: {}, caps: {}, events: [] },
        { name: 'breakpoint', type: 5, formats: {}, caps: {}, events: [] },
      ],
      bootId: 'b00t',
      tracefs: null,
    },
    features,
    durationMs: 123.4,
    createdAt: '2026-11-27T03:00:00.000Z',
    source: 'probe',
  };
}

/** A deep copy to edit. */
export function clone(map: CapabilityMap): CapabilityMap {
  return JSON.parse(JSON.stringify(map)) as CapabilityMap;
}

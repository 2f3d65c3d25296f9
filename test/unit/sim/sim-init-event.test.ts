/**
 * SimKernel's perf_init_event (sim-init-event.ts): which PMU takes an event,
 * ENOENT / EOPNOTSUPP / EINVAL for what it does not have or cannot do,
 * breakpoint slots, and hybrid CPUs whose core PMUs are told apart by the
 * extended type and scheduled on their own counters.
 */
import assert from 'node:assert/strict';
import { ERRNO, PERF_TYPE, PERF_FORMAT, PERF_SAMPLE, HW_BREAKPOINT } from '../../../src/abi';
import { simulate } from '../../sim';
import { MANUAL, SW_CPU_CLOCK, HW_CYCLES, open, fdOf, errnoOf, readOne } from './sim-kernel-calls';

describe('SimKernel: events and PMUs', () => {
  it('gives ENOENT for hardware events without a PMU and for unknown software events', () => {
    const { kernel } = simulate('vm-no-pmu', MANUAL);
    assert.equal(errnoOf(open(kernel, HW_CYCLES)), ERRNO.ENOENT);
    assert.equal(errnoOf(open(kernel, { type: PERF_TYPE.HW_CACHE, config: 0, exclude_kernel: 1 })), ERRNO.ENOENT);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, config: 99 })), ERRNO.ENOENT);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, type: 77 })), ERRNO.ENOENT);
    fdOf(open(kernel, { type: 9, config: 0, exclude_kernel: 0 }));
  });

  it('knows software events by the release that added them', () => {
    assert.equal(errnoOf(open(simulate('mainline-5.10', MANUAL).kernel, { ...SW_CPU_CLOCK, config: 11 })), ERRNO.ENOENT);
    fdOf(open(simulate('mainline-6.1', MANUAL).kernel, { ...SW_CPU_CLOCK, config: 11 }));
  });

  it('answers EOPNOTSUPP for what the PMU cannot do', () => {
    const arm = simulate('arm64-graviton', MANUAL).kernel;
    assert.equal(arm.arch, 'arm64');
    fdOf(open(arm, HW_CYCLES));
    assert.equal(errnoOf(open(arm, { ...HW_CYCLES, precise_ip: 2 })), ERRNO.EOPNOTSUPP);
    assert.equal(errnoOf(open(arm, { ...HW_CYCLES, sample_period: 1000, sample_type: PERF_SAMPLE.BRANCH_STACK, branch_sample_type: 1n << 3n })), ERRNO.EOPNOTSUPP);
    const x86 = simulate('mainline-6.18', MANUAL).kernel;
    fdOf(open(x86, { ...HW_CYCLES, precise_ip: 3 }));
    assert.equal(errnoOf(open(x86, { ...SW_CPU_CLOCK, sample_period: 1000, sample_type: PERF_SAMPLE.BRANCH_STACK, branch_sample_type: 1n << 3n })), ERRNO.EOPNOTSUPP);
  });

  it('validates breakpoints and runs out of slots with ENOSPC', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const bp = { type: PERF_TYPE.BREAKPOINT, bp_type: HW_BREAKPOINT.W, bp_addr: 0x1000, bp_len: 8, exclude_kernel: 1 };
    assert.equal(errnoOf(open(kernel, { ...bp, bp_len: 3 })), ERRNO.EINVAL);
    const fds = [0, 1, 2, 3].map(() => fdOf(open(kernel, bp)));
    assert.equal(errnoOf(open(kernel, bp)), ERRNO.ENOSPC);
    kernel.close(fds[0]!);
    fdOf(open(kernel, bp));
  });
});

describe('SimKernel: hybrid CPUs', () => {
  const ext = (type: number, id: number): bigint => (BigInt(type) << 32n) | BigInt(id);

  it('routes hardware events by the extended type to cpu_core or cpu_atom; an unknown type is ENOENT', () => {
    const { kernel, environment } = simulate('hybrid-alderlake', MANUAL);
    assert.deepEqual(environment.pmus.filter((p) => p.core).map((p) => [p.name, p.type, p.cpumask]), [['cpu_core', 4, '0,2'], ['cpu_atom', 10, '1,3']]);
    assert.equal(kernel.event(fdOf(open(kernel, HW_CYCLES)))!.pmu, 'cpu_core');
    assert.equal(kernel.event(fdOf(open(kernel, { ...HW_CYCLES, config: ext(10, 0) })))!.pmu, 'cpu_atom');
    assert.equal(errnoOf(open(kernel, { ...HW_CYCLES, config: ext(77, 0) })), ERRNO.ENOENT);
  });

  it('refuses a group that mixes core PMUs; before 5.13 the extended type is EINVAL', () => {
    const { kernel } = simulate('hybrid-alderlake', MANUAL);
    const leader = fdOf(open(kernel, HW_CYCLES));
    assert.equal(errnoOf(open(kernel, { ...HW_CYCLES, config: ext(10, 1) }, { group: leader })), ERRNO.EINVAL);
    fdOf(open(kernel, { ...HW_CYCLES, config: 1 }, { group: leader }));
    const old = simulate('hybrid-alderlake', { ...MANUAL, base: '5.10' }).kernel;
    assert.equal(errnoOf(open(old, { ...HW_CYCLES, config: ext(10, 0) })), ERRNO.EINVAL);
  });

  it('schedules each core PMU with its own counters', () => {
    const { kernel } = simulate('hybrid-alderlake', MANUAL);
    const FMT = PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;
    const atom = [0, 1, 2, 3, 4, 5, 6].map((i) => fdOf(open(kernel, { ...HW_CYCLES, config: ext(10, i % 6), read_format: FMT })));
    const core = [0, 1, 2].map((i) => fdOf(open(kernel, { ...HW_CYCLES, config: i, read_format: FMT })));
    kernel.work(7000);
    assert.equal(readOne(kernel, atom[0]!, FMT).timeRunning, 6000n);
    assert.equal(readOne(kernel, core[0]!, FMT).timeRunning, 7000n);
  });
});

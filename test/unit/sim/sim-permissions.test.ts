/**
 * SimKernel's permission checks (sim-permissions.ts, sim-open.ts): paranoid
 * levels, CAP_PERFMON by release, seccomp, and the order of checks (EINVAL
 * before EACCES, except Debian's paranoid 3).
 */
import assert from 'node:assert/strict';
import { ERRNO, PERF_TYPE, PERF_SAMPLE } from '../../../src/abi';
import { simulate } from '../../sim';
import { MANUAL, SW_CPU_CLOCK, open, fdOf, errnoOf } from './sim-kernel-calls';

describe('SimKernel: permissions', () => {
  it('paranoid 2 unprivileged: kernel counting and CPU-wide are EACCES, user-space counting works', () => {
    const { kernel } = simulate('paranoid2-user', MANUAL);
    assert.equal(errnoOf(open(kernel, { type: PERF_TYPE.SOFTWARE, config: 0 })), ERRNO.EACCES);
    fdOf(open(kernel, SW_CPU_CLOCK));
    assert.equal(errnoOf(open(kernel, SW_CPU_CLOCK, { pid: -1, cpu: 0 })), ERRNO.EACCES);
  });

  it('validates the attr before checking permission (EINVAL, not EACCES) at paranoid 2', () => {
    const { kernel } = simulate('paranoid2-user', MANUAL);
    assert.equal(errnoOf(open(kernel, { type: PERF_TYPE.SOFTWARE, config: 0, __reserved_1: 1 })), ERRNO.EINVAL);
  });

  it('paranoid 3 (Debian) refuses every open of an unprivileged caller with EACCES, even a bad attr', () => {
    const { kernel } = simulate('paranoid3-user', MANUAL);
    assert.equal(errnoOf(open(kernel, SW_CPU_CLOCK)), ERRNO.EACCES);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, __reserved_1: 1 })), ERRNO.EACCES);
  });

  it('CAP_PERFMON counts only on kernels that know it (5.8+)', () => {
    const caps = { euid: 1000, caps: { perfmon: true } };
    const k = { type: PERF_TYPE.SOFTWARE, config: 0 };
    assert.equal(errnoOf(open(simulate('mainline-5.4', { ...MANUAL, ...caps }).kernel, k)), ERRNO.EACCES);
    fdOf(open(simulate('mainline-5.10', { ...MANUAL, ...caps }).kernel, k));
  });

  it('seccomp personas refuse every open with EPERM or ENOSYS', () => {
    assert.equal(errnoOf(open(simulate('seccomp-eperm', MANUAL).kernel, SW_CPU_CLOCK)), ERRNO.EPERM);
    assert.equal(errnoOf(open(simulate('seccomp-enosys', MANUAL).kernel, SW_CPU_CLOCK)), ERRNO.ENOSYS);
  });

  it('tracepoints with PERF_SAMPLE_RAW need CAP_SYS_ADMIN', () => {
    const tp = { type: PERF_TYPE.TRACEPOINT, config: 316, exclude_kernel: 1, sample_period: 1, sample_type: PERF_SAMPLE.RAW };
    assert.equal(errnoOf(open(simulate('mainline-6.18', { ...MANUAL, euid: 1000, paranoid: 1 }).kernel, tp)), ERRNO.EPERM);
    fdOf(open(simulate('mainline-6.18', MANUAL).kernel, tp));
    assert.equal(errnoOf(open(simulate('mainline-6.18', MANUAL).kernel, { ...tp, config: 99999 })), ERRNO.EINVAL);
  });
});

/**
 * SimKernel's perf_copy_attr (sim-attr.ts) and the open flags and attr
 * combinations perf_event_open refuses before it looks for a PMU: E2BIG with
 * the size written back, unknown fields, flags and bits per release, backports.
 */
import assert from 'node:assert/strict';
import { encodeAttr, ERRNO, PERF_FORMAT, PERF_FLAG, PERF_SAMPLE, F_GETFD, FD_CLOEXEC } from '../../../src/abi';
import { simulate } from '../../sim';
import { MANUAL, SW_CPU_CLOCK, HW_CYCLES, open, fdOf, errnoOf } from './sim-kernel-calls';

describe('SimKernel: attr validation like perf_copy_attr', () => {
  it('refuses an attr larger than it knows with non-zero tail bytes: E2BIG, its size written back', () => {
    const { kernel } = simulate('mainline-4.1', MANUAL);
    assert.equal(kernel.persona.attrSize, 112);
    const bytes = encodeAttr({ ...SW_CPU_CLOCK, aux_sample_size: 64 }, { size: 120 });
    const r = kernel.perfEventOpen(bytes, 0, -1, -1, 0);
    assert.deepEqual(r, { errno: ERRNO.E2BIG, attrSize: 112 });
    assert.equal(bytes.readUInt32LE(4), 112);
  });

  it('accepts a larger attr whose extra bytes are all zero', () => {
    const { kernel } = simulate('mainline-4.1', MANUAL);
    const fd = fdOf(open(kernel, SW_CPU_CLOCK, { size: 144 }));
    assert.ok(fd >= 3);
  });

  it('refuses sizes below VER0 and above a page with E2BIG', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const small = encodeAttr(SW_CPU_CLOCK, { size: 64, sizeField: 48 });
    assert.equal(errnoOf(kernel.perfEventOpen(small, 0, -1, -1, 0)), ERRNO.E2BIG);
    assert.equal(small.readUInt32LE(4), 136);
    const huge = encodeAttr(SW_CPU_CLOCK, { size: 144, sizeField: 8192 });
    assert.equal(errnoOf(kernel.perfEventOpen(huge, 0, -1, -1, 0)), ERRNO.E2BIG);
  });

  it('treats size 0 as VER0', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    fdOf(kernel.perfEventOpen(encodeAttr(SW_CPU_CLOCK, { size: 64, sizeField: 0 }), 0, -1, -1, 0));
  });

  it('refuses flag bits of a later kernel with EINVAL and accepts them once they exist', () => {
    const sig = { ...SW_CPU_CLOCK, sigtrap: 1, remove_on_exec: 1 };
    assert.equal(errnoOf(open(simulate('mainline-5.10', MANUAL).kernel, sig)), ERRNO.EINVAL);
    fdOf(open(simulate('mainline-6.1', MANUAL).kernel, sig));
  });

  it('refuses sigtrap without remove_on_exec, and remove_on_exec with enable_on_exec', () => {
    const { kernel } = simulate('mainline-6.1', MANUAL);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, sigtrap: 1 })), ERRNO.EINVAL);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, remove_on_exec: 1, enable_on_exec: 1, disabled: 1 })), ERRNO.EINVAL);
  });

  it('refuses reserved flag bits on every version', () => {
    for (const name of ['mainline-3.10', 'mainline-6.18']) {
      const { kernel } = simulate(name);
      assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, __reserved_1: 1 })), ERRNO.EINVAL, name);
    }
  });

  it('refuses unknown read_format, sample_type and branch_sample_type bits', () => {
    const { kernel } = simulate('mainline-5.10', MANUAL);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, read_format: PERF_FORMAT.LOST })), ERRNO.EINVAL);
    assert.equal(errnoOf(open(kernel, { ...SW_CPU_CLOCK, sample_type: 1n << 30n })), ERRNO.EINVAL);
    assert.equal(errnoOf(open(kernel, { ...HW_CYCLES, sample_period: 1000, sample_type: PERF_SAMPLE.BRANCH_STACK, branch_sample_type: 1n << 19n })), ERRNO.EINVAL);
  });

  it('accepts a backported PERF_FORMAT_LOST on the Debian 5.10 persona', () => {
    const { kernel } = simulate('debian-5.10-lost', MANUAL);
    fdOf(open(kernel, { ...SW_CPU_CLOCK, read_format: PERF_FORMAT.LOST }));
  });

  it('accepts use_clockid on the RHEL 3.10 persona but not on mainline 3.10', () => {
    const clock = { ...SW_CPU_CLOCK, use_clockid: 1, clockid: 1 };
    assert.equal(errnoOf(open(simulate('mainline-3.10', MANUAL).kernel, clock)), ERRNO.EINVAL);
    fdOf(open(simulate('rhel7-backports', MANUAL).kernel, clock));
    assert.equal(errnoOf(open(simulate('rhel7-backports', MANUAL).kernel, { ...clock, clockid: 3 })), ERRNO.EINVAL);
  });

  it('refuses PERF_SAMPLE_CGROUP where it is compiled out', () => {
    const a = { ...SW_CPU_CLOCK, sample_period: 1000, sample_type: PERF_SAMPLE.CGROUP };
    fdOf(open(simulate('mainline-6.1', MANUAL).kernel, a));
    assert.equal(errnoOf(open(simulate('compiled-out-6.6', MANUAL).kernel, a)), ERRNO.EINVAL);
  });

  it('ignores unknown open flags before 3.15 and honours none of them', () => {
    const old = simulate('mainline-3.10', MANUAL).kernel;
    const fd = fdOf(open(old, SW_CPU_CLOCK, { flags: PERF_FLAG.FD_CLOEXEC }));
    assert.deepEqual(old.fcntl(fd, F_GETFD), { value: 0 });
    // Without the flag the fd is inheritable until fcntl says otherwise (the seam sets nothing itself).
    const fd2 = fdOf(open(old, SW_CPU_CLOCK));
    assert.deepEqual(old.fcntl(fd2, F_GETFD), { value: 0 });
    const cur = simulate('mainline-6.18', MANUAL).kernel;
    assert.deepEqual(cur.fcntl(fdOf(open(cur, SW_CPU_CLOCK, { flags: PERF_FLAG.FD_CLOEXEC })), F_GETFD), { value: FD_CLOEXEC });
    assert.equal(errnoOf(open(cur, SW_CPU_CLOCK, { flags: 1 << 7 })), ERRNO.EINVAL);
  });

  it('refuses inherit + PERF_FORMAT_GROUP before 4.13 and inherit + PERF_SAMPLE_READ from 4.13 to 6.12', () => {
    const grp = { ...SW_CPU_CLOCK, inherit: 1, read_format: PERF_FORMAT.GROUP };
    assert.equal(errnoOf(open(simulate('mainline-4.1', MANUAL).kernel, grp)), ERRNO.EINVAL);
    fdOf(open(simulate('mainline-4.19', MANUAL).kernel, grp));
    const sr = { ...SW_CPU_CLOCK, inherit: 1, sample_period: 1000, sample_type: PERF_SAMPLE.READ! | PERF_SAMPLE.TID! };
    assert.equal(errnoOf(open(simulate('mainline-6.1', MANUAL).kernel, sr)), ERRNO.EINVAL);
    fdOf(open(simulate('mainline-6.12', MANUAL).kernel, sr));
  });
});

/**
 * SimKernel's perf ioctls (sim-ioctl.ts): ENOTTY for ones the release does
 * not have, ID, PERIOD, MODIFY_ATTRIBUTES, PAUSE_OUTPUT and SET_FILTER answers.
 */
import assert from 'node:assert/strict';
import { encodeAttr, ERRNO } from '../../../src/abi';
import { simulate } from '../../sim';
import { MANUAL, SW_CPU_CLOCK, open, fdOf, ioc } from './sim-kernel-calls';

describe('SimKernel: ioctls', () => {
  it('answers ENOTTY for ioctls the kernel does not have', () => {
    const old = simulate('mainline-4.1', MANUAL).kernel;
    const fd = fdOf(open(old, SW_CPU_CLOCK));
    assert.deepEqual(old.ioctl(fd, ioc(old, 'modify_attributes'), encodeAttr(SW_CPU_CLOCK, { size: 112 })), { errno: ERRNO.ENOTTY });
    assert.deepEqual(old.ioctl(fd, 0x2499), { errno: ERRNO.ENOTTY });
    assert.deepEqual(old.ioctl(fd, ioc(old, 'set_bpf'), 99), { errno: ERRNO.EBADF });
    const m310 = simulate('mainline-3.10', MANUAL).kernel;
    assert.deepEqual(m310.ioctl(fdOf(open(m310, SW_CPU_CLOCK)), ioc(m310, 'id'), Buffer.alloc(8)), { errno: ERRNO.ENOTTY });
  });

  it('ID writes the event id; PERIOD needs a sampling event; MODIFY_ATTRIBUTES is for breakpoints', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, SW_CPU_CLOCK));
    const id = Buffer.alloc(8);
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'id'), id), { value: 0 });
    assert.equal(id.readBigUInt64LE(0), kernel.event(fd)!.id);
    const p = Buffer.alloc(8); p.writeBigUInt64LE(500n);
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'period'), p), { errno: ERRNO.EINVAL });
    const s = fdOf(open(kernel, { ...SW_CPU_CLOCK, sample_period: 1000 }));
    assert.deepEqual(kernel.ioctl(s, ioc(kernel, 'period'), p), { value: 0 });
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'modify_attributes'), encodeAttr(SW_CPU_CLOCK, { size: 136 })), { errno: ERRNO.EOPNOTSUPP });
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'pause_output'), 1), { errno: ERRNO.EINVAL });
    assert.deepEqual(kernel.ioctl(fd, ioc(kernel, 'set_filter'), Buffer.from('x\0')), { errno: ERRNO.EINVAL });
  });
});

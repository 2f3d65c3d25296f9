/**
 * SimKernel's fd table: EMFILE under RLIMIT_NOFILE, the lowest free fd again
 * after close, EBADF for an fd it does not have, openFdCount.
 */
import assert from 'node:assert/strict';
import { ERRNO } from '../../../src/abi';
import { isErr } from '../../../src/sys/kernel';
import { simulate } from '../../sim';
import { MANUAL, SW_CPU_CLOCK, open, fdOf } from './sim-kernel-calls';

describe('SimKernel: fds', () => {
  it('runs out of fds under RLIMIT_NOFILE with EMFILE and recovers after close', () => {
    const { kernel } = simulate('fd-starved', MANUAL);
    const fds: number[] = [];
    for (;;) {
      const r = open(kernel, SW_CPU_CLOCK);
      if (isErr(r)) { assert.equal(r.errno, ERRNO.EMFILE); break; }
      fds.push(r.fd);
    }
    assert.deepEqual(fds, [20, 21, 22, 23]);
    assert.deepEqual(kernel.close(21), { ok: true });
    assert.equal(fdOf(open(kernel, SW_CPU_CLOCK)), 21);
  });

  it('close of an unknown fd is EBADF; openFdCount follows opens and closes', () => {
    const { kernel } = simulate('mainline-6.18', MANUAL);
    const fd = fdOf(open(kernel, SW_CPU_CLOCK));
    assert.equal(kernel.openFdCount(), 1);
    assert.deepEqual(kernel.close(fd), { ok: true });
    assert.deepEqual(kernel.close(fd), { errno: ERRNO.EBADF });
    assert.equal(kernel.openFdCount(), 0);
  });
});

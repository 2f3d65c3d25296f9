/** bindRead on this kernel: the bare libc read returns a counter's bytes, and -EBADF once the fd is closed. */
import assert from 'node:assert/strict';
import { encodeAttr } from '../../../src/abi/attr-codec';
import { PERF_FLAG, PERF_FORMAT } from '../../../src/abi/constants';
import { ERRNO } from '../../../src/abi/errno';
import { bindRead } from '../../../src/sys/fast-read';
import { isErr } from '../../../src/sys/kernel';
import { realKernel } from '../../../src/sys/real-kernel';

describe('sys/bindRead on this kernel', () => {
  it('reads a task-clock counter, then reports EBADF after close', () => {
    const k = realKernel();
    const attr = encodeAttr({ type: 1, config: 1, read_format: PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING, exclude_kernel: 1, exclude_hv: 1 }, { size: 64 });
    const r = k.perfEventOpen(attr, 0, -1, -1, PERF_FLAG.FD_CLOEXEC);
    assert.ok(!isErr(r), 'task-clock opens');
    const buf = Buffer.alloc(24);
    const read = bindRead(k, r.fd, buf, 24);
    let x = 0;
    for (let i = 0; i < 1e6; i++) x = (x + i) | 0;
    assert.equal(read(), 24);
    assert.ok(buf.readBigUInt64LE(0) > 0n, `counted ${buf.readBigUInt64LE(0)} ns after ${x === 0.5 ? '' : 'a loop'}`);
    k.close(r.fd);
    assert.equal(read(), -ERRNO.EBADF!);
  });
});

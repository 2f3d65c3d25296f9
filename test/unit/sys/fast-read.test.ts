/** bindRead over a simulated (stubbed) kernel: same contract as on the real one — bytes, or -errno. */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { bindRead } from '../../../src/sys/fast-read';
import type { Kernel } from '../../../src/sys/kernel';

function kernelReading(result: { bytes: number } | { errno: number }): Kernel & { read: sinon.SinonStub } {
  return { name: 'stub', arch: 'x64', read: sinon.stub().returns(result) } as unknown as Kernel & { read: sinon.SinonStub };
}

describe('sys/bindRead', () => {
  it('passes fd, buffer and length through and returns the byte count', () => {
    const k = kernelReading({ bytes: 24 });
    const buf = Buffer.alloc(32);
    const read = bindRead(k, 7, buf, 24);
    assert.equal(read(), 24);
    assert.deepEqual(k.read.firstCall.args, [7, buf, 24]);
  });

  it('returns -errno on failure', () => {
    assert.equal(bindRead(kernelReading({ errno: 9 }), 7, Buffer.alloc(8), 8)(), -9);
  });

  it('checks its arguments once, when bound', () => {
    const k = kernelReading({ bytes: 0 });
    assert.throws(() => bindRead(k, -1, Buffer.alloc(8), 8), RangeError);
    assert.throws(() => bindRead(k, 3, Buffer.alloc(8), 16), RangeError);
    assert.throws(() => bindRead(k, 3, 'x' as unknown as Uint8Array, 1), RangeError);
  });
});

describe('sys/bindRead through the seam', () => {
  it('uses the kernel\'s own bindRead when it offers one', () => {
    const own = sinon.stub().returns(() => 42);
    const k = { ...kernelReading({ bytes: 0 }), bindRead: own } as unknown as Kernel;
    const buf = Buffer.alloc(8);
    assert.equal(bindRead(k, 3, buf, 8)(), 42);
    assert.deepEqual(own.firstCall.args, [3, buf, 8]);
  });
});

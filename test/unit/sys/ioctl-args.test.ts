/** The perf ioctl argument table: every perf ioctl of src/abi has a rule, and each rule is enforced. */
import assert from 'node:assert/strict';
import { archAbi, PERF_IOCTLS, perfIoctlTable } from '../../../src/abi/ioctl';
import { checkIoctlArg, PERF_IOCTL_ARGS } from '../../../src/sys/ioctl-args';

describe('sys/ioctl-args', () => {
  const ioc = perfIoctlTable(archAbi('x64'));

  it('has an argument rule for every perf ioctl src/abi knows, and no other', () => {
    assert.deepEqual(Object.keys(PERF_IOCTL_ARGS).sort(), PERF_IOCTLS.map((d) => d.name).sort());
  });

  it('value ioctls take integers only; pointer ioctls take a buffer or NULL', () => {
    for (const [name, kind] of Object.entries(PERF_IOCTL_ARGS)) {
      if (kind === 'value') {
        assert.doesNotThrow(() => checkIoctlArg(name, ioc[name]!, 1, undefined));
        assert.throws(() => checkIoctlArg(name, ioc[name]!, new Uint8Array(64), undefined), new RegExp(`ioctl ${name}: takes an integer`));
      } else {
        assert.doesNotThrow(() => checkIoctlArg(name, ioc[name]!, 0, undefined));
        assert.throws(() => checkIoctlArg(name, ioc[name]!, 0x7fff0000, undefined), new RegExp(`ioctl ${name}: argument 2147418112 is not a buffer`));
      }
    }
  });

  it('an unknown request needs argSize, and the buffer must hold it', () => {
    assert.throws(() => checkIoctlArg(undefined, 0x541b, new Uint8Array(1), undefined), /ioctl 0x541b: not a perf ioctl request; pass argSize/);
    assert.throws(() => checkIoctlArg(undefined, 0x541b, 5, undefined), /ioctl 0x541b/);
    assert.throws(() => checkIoctlArg(undefined, 0x541b, new Uint8Array(1), 4), /buffer of 1 bytes, argSize says 4/);
    assert.throws(() => checkIoctlArg(undefined, 0x541b, new Uint8Array(4), 1.5), /argSize 1.5 must be an integer/);
    assert.doesNotThrow(() => checkIoctlArg(undefined, 0x541b, new Uint8Array(4), 4));
    assert.doesNotThrow(() => checkIoctlArg(undefined, 0x541b, 5, 0));
  });
});

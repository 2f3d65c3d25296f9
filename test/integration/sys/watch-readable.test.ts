/**
 * Kernel.watchReadable on the real kernel: wake-ups from a perf fd arrive on
 * the event loop, stop() is idempotent, and a forgotten watch does not keep
 * Node alive.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { encodeAttr } from '../../../src/abi/attr-codec';
import { archAbi, MAP_SHARED, perfIoctl, PROT_READ, PROT_WRITE } from '../../../src/abi/ioctl';
import { isErr } from '../../../src/sys/kernel';
import { realKernel } from '../../../src/sys/real-kernel';

const kernel = realKernel();

function openSampling(): number | undefined {
  // cpu-clock every 1 ms of this thread, a wake-up per sample.
  const attr = encodeAttr({ type: 1, config: 0, sample_period: 1_000_000, sample_type: 1n, disabled: 1, exclude_kernel: 1, wakeup_events: 1 }, { size: 112 });
  const r = kernel.perfEventOpen(attr, 0, -1, -1, 0);
  return isErr(r) ? undefined : r.fd;
}

describe('sys/real-kernel watchReadable (this machine)', function () {
  this.timeout(20000);

  it('calls back from the event loop on each wake-up of a perf fd, until stopped', async function () {
    const fd = openSampling();
    if (fd === undefined) this.skip();
    const page = kernel.pageSize();
    const m = kernel.mmap(fd, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    assert.ok(!isErr(m));
    let calls = 0;
    const w = kernel.watchReadable(fd, () => {
      calls++;
      // Consume: publish data_tail = data_head so the ring never fills.
      const ctl = new BigInt64Array(m.mapping.buffer, 0, page / 8);
      Atomics.store(ctl, 129, Atomics.load(ctl, 128));
    });
    w.ref?.();
    try {
      kernel.ioctl(fd, perfIoctl('enable', archAbi(kernel.arch)), 0);
      const until = Date.now() + 5000;
      // Burn CPU in slices so cpu-clock samples accrue and the loop can deliver wake-ups.
      while (calls < 3 && Date.now() < until) {
        const end = Date.now() + 5;
        let x = 0;
        while (Date.now() < end) x += Math.random();
        await new Promise((r) => setImmediate(r));
      }
      assert.ok(calls >= 3, `${calls} wake-ups`);
    } finally {
      w.stop();
      w.stop(); // idempotent
      kernel.munmap(m.mapping);
      kernel.close(fd);
    }
    const after = calls;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(calls, after, 'no callbacks after stop()');
  });

  it('does not keep Node alive: a process that leaves a watch running still exits', function () {
    const realKernelPath = path.resolve(__dirname, '../../../src/sys/real-kernel.js');
    const codecPath = path.resolve(__dirname, '../../../src/abi/attr-codec.js');
    const script = `
      const { realKernel } = require(${JSON.stringify(realKernelPath)});
      const { encodeAttr } = require(${JSON.stringify(codecPath)});
      const k = realKernel();
      const r = k.perfEventOpen(encodeAttr({ type: 1, config: 0, sample_period: 1000000, disabled: 1, exclude_kernel: 1 }, { size: 112 }), 0, -1, -1, 0);
      if (r.fd === undefined) { console.log('skip'); process.exit(0); }
      k.watchReadable(r.fd, () => {});
      console.log('watching');
    `;
    const res = spawnSync(process.execPath, ['-e', script], { timeout: 10000, encoding: 'utf8' });
    assert.equal(res.error, undefined, 'the child exited by itself within 10 s');
    assert.equal(res.status, 0, res.stderr);
    if (res.stdout.trim() === 'skip') this.skip();
    assert.equal(res.stdout.trim(), 'watching');
  });
});

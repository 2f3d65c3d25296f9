import assert from 'node:assert/strict';
import fs from 'node:fs';
import { encodeAttr } from '../../../src/abi/attr-codec';
import { PERF_TYPE } from '../../../src/abi/constants';
import { closesSettled, openScope } from '../../../src/open/scope';
import { getCapabilities, forgetCapabilities } from '../../../src/probe/capabilities';
import { readEnvironment } from '../../../src/env/environment';
import { realKernel } from '../../../src/sys/real-kernel';
import { isErr, type Kernel, type VoidResult } from '../../../src/sys/kernel';
import { leakedPerfFds, openFds } from '../../helpers/fds';
import { simulate } from '../../sim';
import '../../../src/root';

/** A simulated kernel whose closeAsync closes later, when the test says. */
function slowClosing() {
  const sim = simulate('mainline-6.18');
  const pending: Array<() => void> = [];
  const kernel = Object.create(sim.kernel) as Kernel;
  kernel.closeAsync = (fd: number) => new Promise<VoidResult>((resolve) => pending.push(() => resolve(sim.kernel.close(fd))));
  const tp = sim.kernel.persona.tracepoints![0]!;
  return { sim, kernel, pending, tracepoint: { type: PERF_TYPE.TRACEPOINT, config: tp.id, disabled: 1, exclude_kernel: 1, exclude_hv: 1 } };
}

describe('open/scope: a tracepoint fd closed off the thread', () => {
  it('is forgotten by the scope at once and closed by the kernel when closesSettled() resolves', async () => {
    const { sim, kernel, pending, tracepoint } = slowClosing();
    const scope = openScope(kernel, { closeSlowOffThread: true });
    const tp = scope.open(tracepoint);
    const sw = scope.open({ type: PERF_TYPE.SOFTWARE, config: 0, disabled: 1, exclude_kernel: 1, exclude_hv: 1 });
    assert.ok(!isErr(tp) && !isErr(sw));
    assert.equal(sim.kernel.openFdCount(), 2);
    scope.close(sw.fd);
    assert.equal(sim.kernel.openFdCount(), 1, 'a software event closes on the spot');
    scope.close(tp.fd);
    assert.equal(scope.held.fds, 0);
    assert.equal(sim.kernel.openFdCount(), 1, 'the tracepoint close is under way');
    assert.equal(pending.length, 1);
    let settled = false;
    const done = closesSettled().then(() => { settled = true; });
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false);
    pending.shift()!();
    await done;
    assert.equal(sim.kernel.openFdCount(), 0);
  });

  it('dispose() sends a tracepoint fd the same way; without closeSlowOffThread (or closeAsync) it closes on the spot', async () => {
    const { sim, kernel, pending, tracepoint } = slowClosing();
    const deferring = openScope(kernel, { closeSlowOffThread: true });
    assert.ok(!isErr(deferring.open(tracepoint)));
    deferring.dispose();
    assert.equal(pending.length, 1);
    pending.shift()!();
    await closesSettled();
    assert.equal(sim.kernel.openFdCount(), 0);
    const plain = openScope(kernel);
    const r = plain.open(tracepoint);
    assert.ok(!isErr(r));
    plain.close(r.fd);
    assert.equal(pending.length, 0);
    assert.equal(sim.kernel.openFdCount(), 0);
    const noAsync = openScope(sim.kernel, { closeSlowOffThread: true });
    const r2 = noAsync.open(tracepoint);
    assert.ok(!isErr(r2));
    noAsync.close(r2.fd);
    assert.equal(sim.kernel.openFdCount(), 0);
  });

  it('the real kernel: closeAsync closes a perf fd off the thread; /proc/self/fd shows none left', async () => {
    const k = realKernel();
    const r = k.perfEventOpen(encodeAttr({ type: PERF_TYPE.SOFTWARE, config: 0, disabled: 1, exclude_kernel: 1, exclude_hv: 1 }, { size: 64 }), 0, -1, -1, 0);
    assert.ok(!isErr(r), 'a software event opens here');
    const link = (): string | null => { try { return fs.readlinkSync(`/proc/self/fd/${r.fd}`); } catch { return null; } };
    assert.match(link() ?? '', /perf_event/);
    assert.deepEqual(await k.closeAsync(r.fd), { ok: true });
    assert.doesNotMatch(link() ?? '', /perf_event/);
  });

  it('a full probe of this kernel leaves no perf fd open once closesSettled() resolves (the tracepoint probe\'s included, where tracefs is mounted)', async () => {
    const before = openFds();
    try {
      getCapabilities({ environment: readEnvironment(), cache: false, refresh: true });
      await closesSettled();
      assert.deepEqual(leakedPerfFds(before), []);
    } finally {
      forgetCapabilities();
    }
  });
});

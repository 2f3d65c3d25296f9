import assert from 'node:assert/strict';
import sinon from 'sinon';
import * as codec from '../../../src/abi/attr-codec';
import { referenceEncodeAttr } from '../../helpers/attr-codec-reference';
import { useEncodeMemo } from '../../../src/probe/engine';
import { getCapabilities, forgetCapabilities } from '../../../src/probe/capabilities';
import { closesSettled } from '../../../src/open/scope';
import { readEnvironment, readUname } from '../../../src/env/environment';
import { realKernel } from '../../../src/sys/real-kernel';
import type { Kernel } from '../../../src/sys/kernel';
import { simulate } from '../../sim';
import '../../../src/root';

/** A kernel that writes down every perf_event_open it is asked (bytes, target, answer): fd numbers left out. */
function recording(k: Kernel): { kernel: Kernel; calls: string[] } {
  const calls: string[] = [];
  const kernel = Object.create(k) as Kernel;
  kernel.perfEventOpen = (attr, pid, cpu, group, flags) => {
    const sent = Buffer.from(attr.buffer, attr.byteOffset, attr.byteLength).toString('hex');
    const r = k.perfEventOpen(attr, pid, cpu, group, flags);
    calls.push(`${sent} pid=${pid} cpu=${cpu} group=${group < 0 ? group : 'fd'} flags=${flags} → ${'errno' in r ? `errno ${r.errno}` : 'fd'}`);
    return r;
  };
  return { kernel, calls };
}

/**
 * The probe as it runs (pre-encoded attrs, shared across runs) against the
 * straightforward path: every open encoded afresh by the encoder the fast
 * one replaced. Same syscalls with the same bytes, same map.
 */
function both(make: () => { kernel: Kernel; environment: ReturnType<typeof readEnvironment>; uname: ReturnType<typeof readUname> }) {
  const run = (straightforward: boolean) => {
    const s = make();
    const rec = recording(s.kernel);
    const stub = straightforward ? sinon.stub(codec, 'encodeAttr').callsFake(referenceEncodeAttr) : undefined;
    useEncodeMemo(!straightforward);
    try {
      const map = getCapabilities({ kernel: rec.kernel, environment: s.environment, uname: s.uname, cache: false, refresh: true });
      return { features: map.features, calls: rec.calls };
    } finally {
      stub?.restore();
      useEncodeMemo(true);
    }
  };
  const plain = run(true);
  const first = run(false);
  const second = run(false); // served from the memo filled by the first
  return { plain, first, second };
}

describe('probe/engine: pre-encoded attrs give the answers of the straightforward path', () => {
  afterEach(() => forgetCapabilities());

  for (const persona of ['mainline-6.18', 'mainline-3.10', 'rhel7-backports', 'hybrid-alderlake', 'paranoid2-user', 'mainline-4.19', 'arm64-big-little', 'amd-zen3-ibs']) {
    it(`${persona}: same opens, byte for byte, and the same map`, () => {
      const { plain, first, second } = both(() => simulate(persona, { clock: 'manual' }));
      assert.ok(plain.calls.length > 100, `only ${plain.calls.length} opens`);
      assert.deepEqual(first.calls, plain.calls);
      assert.deepEqual(second.calls, plain.calls);
      assert.deepEqual(first.features, plain.features);
      assert.deepEqual(second.features, plain.features);
    });
  }

  it('this kernel: the same map (and the same opens) as the straightforward path', async function () {
    const env = readEnvironment();
    const uname = readUname();
    const { plain, first, second } = both(() => ({ kernel: realKernel(), environment: env, uname }));
    await closesSettled();
    const status = (f: typeof plain.features) => Object.fromEntries(Object.entries(f).map(([id, e]) => [id, e.status]));
    // A fault of the moment (EBUSY, EMFILE…) may come and go between runs on a loaded host: compare the rest.
    const settled = (id: string) => plain.features[id]!.status !== 'error' && first.features[id]?.status !== 'error' && second.features[id]?.status !== 'error';
    const ids = Object.keys(plain.features).filter(settled);
    assert.ok(ids.length > 100);
    for (const id of ids) {
      assert.deepEqual(first.features[id], plain.features[id], id);
      assert.deepEqual(second.features[id], plain.features[id], id);
    }
    assert.deepEqual(Object.keys(first.features), Object.keys(plain.features));
    if (Object.values(status(plain.features)).every((s) => s !== 'error')) assert.deepEqual(first.calls, plain.calls);
  });
});

/**
 * calibratePerfClock opens its context-switch event through the fd scope at
 * the attr size the map allows, and closes everything it opened.
 */
import assert from 'node:assert/strict';
import { smallestAttrSize } from '../../../src/abi/attr-layout';
import { PERF_SAMPLE, PERF_TYPE, SW_EVENTS } from '../../../src/abi/constants';
import type { CapabilityMap, FeatureEntry } from '../../../src/model/capability-map';
import { calibratePerfClock } from '../../../src/shim/time-base';
import { simulate } from '../../sim';

function mapWith(env: CapabilityMap['environment'], features: Record<string, FeatureEntry>): CapabilityMap {
  return {
    schema: 'perfcompat/capabilities@1', engineVersion: 'test', environment: env, features,
    kernel: { release: 'sim', version: 'sim', machine: 'x86_64', semver: null }, durationMs: 0, createdAt: '', source: 'probe',
  };
}

function sentSizes(sim: ReturnType<typeof simulate>): number[] {
  return sim.kernel.calls.filter((c) => c.call === 'perf_event_open').map((c) => (c.args[0] as Uint8Array).byteLength);
}

/** The largest size a simulated 6.18 accepts: an answer the map must not trust unless supported. */
function sim0AttrSize(): number {
  return simulate('mainline-6.18').kernel.persona.attrSize;
}

describe('shim/time-base calibratePerfClock', () => {
  it('opens at the attr.size the map says the kernel accepts, and closes fd and ring', () => {
    const sim = simulate('mainline-6.18');
    const size = sim.kernel.persona.attrSize;
    calibratePerfClock(sim.kernel, 1, mapWith(sim.environment, { 'attr.size': { status: 'supported', value: size } }));
    assert.deepEqual(sentSizes(sim), [size]);
    assert.equal(sim.kernel.openFdCount(), 0);
    assert.equal(sim.kernel.calls.filter((c) => c.call === 'munmap').length, sim.kernel.calls.filter((c) => c.call === 'mmap').length);
  });

  it('without a supported attr.size answer, opens at the smallest size that holds its fields', () => {
    const smallest = smallestAttrSize({ type: PERF_TYPE.SOFTWARE, config: SW_EVENTS.find((e) => e.name === 'context_switches')!.value, sample_period: 1, sample_type: PERF_SAMPLE.TIME!, exclude_kernel: 0, disabled: 1 });
    const answers: Record<string, FeatureEntry>[] = [{}, { 'attr.size': { status: 'error', value: sim0AttrSize() } }];
    for (const features of answers) {
      const sim = simulate('mainline-6.18');
      calibratePerfClock(sim.kernel, 1, mapWith(sim.environment, features));
      assert.deepEqual(sentSizes(sim), [smallest]);
      assert.equal(sim.kernel.openFdCount(), 0);
    }
  });

  it('says why when the event does not open, leaving nothing open', () => {
    const sim = simulate('mainline-6.18', { paranoid: 3 });
    const r = calibratePerfClock(sim.kernel, 1);
    if ('reason' in r) assert.match(r.reason, /did not open|did not map|no context switch/);
    assert.equal(sim.kernel.openFdCount(), 0);
  });
});

/**
 * The shim on every simulated persona, each with the map the engine probed
 * on it: a software EventSet either counts, with the attr at the map's size
 * kernel counting excluded where it is denied, per-event reads where group
 * reads are broken and a zero that holds where RESET is a no-op — or fails
 * with a PerfcompatError naming the errno. No fd is left open either way.
 */
import assert from 'node:assert/strict';
import { PerfcompatError } from '../../../src/errors';
import { getCapabilities } from '../../../src/root';
import { EventSet } from '../../../src/shim/event-set';
import { personaNames, simulate } from '../../sim';

describe('shim on every simulated persona', function () {
  this.timeout(60_000); // each persona is probed with its behaviour checks first
  for (const name of personaNames()) {
    it(name, () => {
      let map;
      try {
        map = getCapabilities({ ...simulate(name), cache: false, behaviour: true });
      } catch (e) {
        // perf_event_open unusable (seccomp, paranoid 3): the engine says why, and there is nothing to adapt.
        assert.ok(e instanceof PerfcompatError && e.code === 'ERR_PERF_UNAVAILABLE', `${name}: ${String(e)}`);
        return;
      }
      const sim = simulate(name, { clock: 'manual' });
      const set = new EventSet({ kernel: sim.kernel, capabilities: map });
      try {
        set.add('task-clock').add('page-faults');
      } catch (e) {
        assert.ok(e instanceof PerfcompatError, `${name}: ${String(e)}`);
        assert.ok(e.errnoName !== undefined && e.message.includes(e.errnoName), `${name}: the error names its errno: ${e.message}`);
        set.close();
        assert.equal(sim.kernel.openFdCount(), 0);
        return;
      }
      const opens = sim.kernel.calls.filter((c) => c.call === 'perf_event_open');
      assert.equal(opens.length, 2, 'one open per event: the map was right');
      const size = map.features['attr.size']?.value;
      const attrBytes = opens[0]!.args[0] as Uint8Array;
      if (typeof size === 'number') assert.equal(attrBytes.byteLength, size);
      if (map.features['access.kernel']?.status === 'denied') {
        assert.ok(set.adaptations.some((a) => a.featureId === 'access.kernel'), 'kernel excluded where denied');
      }
      set.start();
      sim.kernel.work(1_000_000);
      const v = set.readValues();
      assert.ok(v[0]!.value > 0n, `${name}: task-clock counted`);
      set.stop();
      set.start(); // zero again: a second run must not carry the first one's count
      sim.kernel.work(1_000_000);
      const again = set.read();
      assert.ok(Math.abs(again[0]! - Number(v[0]!.value)) <= Number(v[0]!.value) * 0.01, `${name}: second run ${again[0]} vs first ${v[0]!.value}`);
      set.close();
      assert.equal(sim.kernel.openFdCount(), 0);
    });
  }
});

/**
 * From a broken behaviour to the shim's workaround, end to end: the checks
 * run on a simulated kernel through getCapabilities({ behaviour: true }) and
 * the EventSet built on that map takes the other path.
 */
import assert from 'node:assert/strict';
import { simulate } from '../../sim';
import { getCapabilities } from '../../../src/root';
import { EventSet } from '../../../src/shim';

function mapOf(persona: string, overrides = {}) {
  const sim = simulate(persona, overrides);
  return { sim, map: getCapabilities({ ...sim, behaviour: true }) };
}

describe('behaviour answers steer the shim', () => {
  it('a broken FORMAT_GROUP read: the map says broken and EventSet reads per event', () => {
    const { sim, map } = mapOf('mainline-6.18', { quirks: { brokenGroupRead: true } });
    assert.equal(map.features['behaviour.group_read']?.status, 'broken');
    const set = new EventSet({ kernel: sim.kernel, capabilities: map });
    try {
      assert.equal(set.readPath, 'per-event');
      assert.match(set.readPathReason, /behaviour\.group_read/);
    } finally {
      set.close();
    }
  });

  it('a healthy kernel: group_read supported and EventSet reads the group in one read()', () => {
    const { sim, map } = mapOf('mainline-6.18');
    assert.equal(map.features['behaviour.group_read']?.status, 'supported');
    const set = new EventSet({ kernel: sim.kernel, capabilities: map });
    try {
      assert.equal(set.readPath, 'group');
    } finally {
      set.close();
    }
  });

  it('a group that never runs (NMI watchdog): the largest that runs is recorded and EventSet splits larger groups', () => {
    const { sim, map } = mapOf('nmi-watchdog');
    assert.equal(map.features['behaviour.schedulability']?.value, 3);
    const set = new EventSet({ kernel: sim.kernel, capabilities: map });
    try {
      for (const e of ['cycles', 'instructions', 'branches', 'branch-misses']) set.add(e);
      assert.ok(set.groups.length >= 2, `groups: ${JSON.stringify(set.groups)}`);
      assert.ok(set.groups.every((g) => g.length <= 3), `groups: ${JSON.stringify(set.groups)}`);
    } finally {
      set.close();
    }
  });
});

/**
 * shimPathFor on the EventSet ids prints what eventSetPolicy decides for that
 * map (with the behaviour answers the map carries), so `probe explain` and the
 * EventSet cannot drift apart. Maps come from the simulated kernels' probes.
 */
import assert from 'node:assert/strict';
import { simulate } from '../../sim';
import { getCapabilities } from '../../../src/root';
import { behaviourOfMap, EVENT_SET_FEATURE_IDS, eventSetPolicy } from '../../../src/shim/event-set-policy';
import { shimPathFor } from '../../../src/shim/shim-path';
import { planOpen } from '../../../src/shim/adapt';
import type { CapabilityMap } from '../../../src/model/capability-map';

const CASES: { persona: string; overrides?: Parameters<typeof simulate>[1] }[] = [
  { persona: 'mainline-6.18' },
  { persona: 'mainline-6.18', overrides: { quirks: { brokenGroupRead: true } } },
  { persona: 'mainline-6.18', overrides: { quirks: { resetNoop: true } } },
  { persona: 'mainline-3.10' },
  { persona: 'debian-5.10-lost' },
  { persona: 'nmi-watchdog' },
  { persona: 'vm-no-pmu' },
];

function checkedMap(persona: string, overrides = {}): CapabilityMap {
  return getCapabilities({ ...simulate(persona, overrides), cache: false, behaviour: true });
}

describe('shim/shimPathFor from eventSetPolicy', () => {
  for (const c of CASES) {
    it(`${c.persona}${c.overrides ? ' ' + JSON.stringify(c.overrides) : ''}: each EventSet id's line holds the policy's reason`, () => {
      const map = checkedMap(c.persona, c.overrides);
      for (const id of EVENT_SET_FEATURE_IDS) {
        const opts = id === 'combo.inherit_group_read' ? { inherit: true } : id === 'behaviour.group_read_after_exit' ? { pid: 1 } : {};
        const p = eventSetPolicy(map, behaviourOfMap(map), opts);
        const line = shimPathFor(id, map);
        assert.ok(line?.includes(p.why[id]), `${id}: ${line} lacks ${p.why[id]}`);
        if (id.includes('group_read') || id === 'read_format.group') assert.ok(line!.includes(p.readPathReason), id);
      }
    });
  }

  it('prints the work-arounds the policy takes on a kernel that needs them', () => {
    const broken = checkedMap('mainline-6.18', { quirks: { brokenGroupRead: true, resetNoop: true } });
    const p = eventSetPolicy(broken, behaviourOfMap(broken));
    assert.equal(p.readPath, 'per-event');
    assert.equal(p.resetEmulated, true);
    assert.match(shimPathFor('behaviour.group_read', broken)!, /one read\(\) per event.*behaviour\.group_read/);
    for (const r of p.reasons) assert.ok([...EVENT_SET_FEATURE_IDS].some((id) => shimPathFor(id, broken)!.includes(r)), r);
    const healthy = checkedMap('mainline-6.18');
    assert.notEqual(shimPathFor('behaviour.ioctl_reset', healthy), shimPathFor('behaviour.ioctl_reset', broken));
  });

  for (const persona of ['mainline-3.10', 'mainline-6.18', 'paranoid2-user']) {
    it(`${persona}: close-on-exec, kernel exclusion and attr size lines hold what planOpen does to cpu-clock`, () => {
      const map = getCapabilities({ ...simulate(persona), cache: false });
      const plan = planOpen({ type: 1, config: 0, name: 'cpu-clock' }, { map });
      for (const id of ['open_flags.fd_cloexec', 'access.kernel', 'attr.size']) {
        const line = shimPathFor(id, map)!;
        for (const a of plan.adaptations.filter((x) => x.featureId === id)) assert.ok(line.includes(a.why) && line.includes(a.what), `${id}: ${line}`);
      }
      assert.ok(shimPathFor('attr.size', map)!.includes(`${plan.size} bytes`));
      assert.equal(/fcntl/.test(shimPathFor('open_flags.fd_cloexec', map)!), plan.cloexecViaFcntl);
    });
  }
});

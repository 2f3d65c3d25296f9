/**
 * eventSetPolicy: the EventSet's decisions as one pure function of a map, an
 * explicit behaviour lookup and the options; maps come from the simulated
 * kernels' probes, behaviour answers from their checks.
 */
import assert from 'node:assert/strict';
import { PERF_FORMAT } from '../../../src/abi/constants';
import { simulate } from '../../sim';
import { getCapabilities } from '../../../src/root';
import { behaviourOfMap, eventSetPolicy, NO_BEHAVIOUR, pickGroup } from '../../../src/shim/event-set-policy';
import type { CapabilityMap } from '../../../src/model/capability-map';

function probed(persona: string, overrides = {}): { map: CapabilityMap; checked: CapabilityMap } {
  const sim = simulate(persona, overrides);
  return { map: getCapabilities({ ...sim, cache: false }), checked: getCapabilities({ ...sim, cache: false, behaviour: true }) };
}

describe('shim/eventSetPolicy', () => {
  it('is pure: the same map and answers give an equal policy, and it does not read behaviour from a plain map', () => {
    const { map, checked } = probed('mainline-6.18', { quirks: { brokenGroupRead: true } });
    const before = JSON.stringify(map);
    const p1 = eventSetPolicy(map, behaviourOfMap(map));
    const p2 = eventSetPolicy(map, behaviourOfMap(map));
    assert.deepEqual(p1, p2);
    assert.equal(JSON.stringify(map), before);
    assert.equal(p1.readPath, map.features['read_format.group']?.status === 'supported' ? 'group' : 'per-event');
    const withAnswers = eventSetPolicy(map, behaviourOfMap(checked));
    assert.equal(checked.features['behaviour.group_read']?.status, 'broken');
    assert.equal(withAnswers.readPath, 'per-event');
    assert.match(withAnswers.readPathReason, /behaviour\.group_read/);
    assert.equal(withAnswers.readFormat & PERF_FORMAT.GROUP, 0n);
  });

  it('takes read_format.lost, the group limit and the RESET/group-ioctl work-arounds from what it is given', () => {
    const { map, checked } = probed('mainline-6.18', { quirks: { resetNoop: true } });
    const p = eventSetPolicy(map, NO_BEHAVIOUR);
    assert.equal(p.withLost, map.features['read_format.lost']?.status === 'supported');
    assert.equal((p.readFormat & PERF_FORMAT.LOST) !== 0n, p.withLost);
    assert.equal(p.resetEmulated, false);
    assert.deepEqual(p.reasons, []);
    const q = eventSetPolicy(map, behaviourOfMap(checked));
    assert.equal(q.resetEmulated, checked.features['behaviour.ioctl_reset']?.status === 'broken');
    assert.equal(q.resetEmulated, true);
    assert.match(q.reasons.join('\n'), /behaviour\.ioctl_reset/);
    assert.ok(q.featureIds.includes('behaviour.ioctl_reset') && q.featureIds.includes('read_format.group'));
  });

  it('limits groups to the measured schedulability, and only inherited sets or exited tasks consult their entries', () => {
    const { map, checked } = probed('nmi-watchdog');
    const limit = checked.features['behaviour.schedulability']?.value;
    assert.equal(typeof limit, 'number');
    const p = eventSetPolicy(map, behaviourOfMap(checked));
    assert.ok(p.groupLimit !== undefined && p.groupLimit <= (limit as number));
    const split = pickGroup([{ hwContext: 'cpu', hwCount: p.groupLimit, members: { length: p.groupLimit } }], 'cpu', p);
    assert.equal(split.index, -1);
    assert.match(split.note ?? '', /at most/);
    assert.equal(pickGroup([{ hwContext: 'cpu', hwCount: 0, members: { length: 0 } }], 'cpu', p).index, 0);
    const exited = { ...checked, features: { ...checked.features, 'behaviour.group_read_after_exit': { status: 'broken' as const } } };
    assert.equal(eventSetPolicy(map, behaviourOfMap(exited)).readPath, eventSetPolicy(map, NO_BEHAVIOUR).readPath);
    assert.equal(eventSetPolicy(map, behaviourOfMap(exited), { pid: 4242 }).readPath, 'per-event');
  });
});

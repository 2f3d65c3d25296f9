/** shimPathFor: the line `probe explain` prints follows the map, not the kernel version. */
import assert from 'node:assert/strict';
import { shimPathFor } from '../../../src/shim/shim-path';
import { FALLBACKS } from '../../../src/shim/fallbacks';
import { mapWith, noHardware, supported, unsupported } from './shim-fixtures';

describe('shim/shimPathFor', () => {
  it('states the attr size and the close-on-exec path of this map', () => {
    assert.match(shimPathFor('attr.size', mapWith({ 'attr.size': supported(112) }))!, /112 bytes/);
    assert.match(shimPathFor('open_flags.fd_cloexec', mapWith())!, /with PERF_FLAG_FD_CLOEXEC/);
    assert.match(shimPathFor('open_flags.fd_cloexec', mapWith({ 'open_flags.fd_cloexec': unsupported() }))!, /fcntl/);
  });

  it('says which read path an EventSet takes', () => {
    assert.match(shimPathFor('read_format.group', mapWith({ 'read_format.group': supported() }))!, /one read\(\) of PERF_FORMAT_GROUP/);
    assert.match(shimPathFor('read_format.group', mapWith({ 'read_format.group': unsupported() }))!, /one read\(\) per event/);
    assert.match(shimPathFor('behaviour.group_read', mapWith({ 'behaviour.group_read': { status: 'broken' } }))!, /per event.*broken/);
  });

  it('gives every fallback-table feature a line that changes with the map', () => {
    for (const r of FALLBACKS) {
      const there = shimPathFor(r.featureId, mapWith({ [r.featureId]: supported() }));
      const missing = shimPathFor(r.featureId, mapWith({ [r.featureId]: unsupported() }));
      assert.ok(there && missing, r.featureId);
      assert.notEqual(there, missing, r.featureId);
      // A 'supported' rule adds what the kernel wants beside a feature it has: its line is the supported one.
      if (r.when === 'supported') assert.match(there!, /added/, r.featureId);
      else assert.match(missing!, r.action === 'refuse' ? /refused/ : r.action === 'drop' ? /dropped/ : /replaced/, r.featureId);
    }
  });

  it('names the stand-in for a hardware event without a PMU, and none for cache events', () => {
    const map = mapWith({ 'event.hardware.cpu_cycles': noHardware(), 'event.hardware.cache_misses': noHardware() });
    assert.match(shimPathFor('event.hardware.cpu_cycles', map)!, /cpu-clock/);
    assert.match(shimPathFor('event.hardware.cache_misses', map)!, /no software stand-in/);
    assert.match(shimPathFor('event.hardware.cpu_cycles', mapWith({ 'event.hardware.cpu_cycles': supported() }))!, /PERF_TYPE_HARDWARE/);
  });

  it('reports the group limit, precise level and kernel exclusion', () => {
    assert.match(shimPathFor('combo.group_schedulability', mapWith({ 'combo.group_schedulability': supported(3) }))!, /at most 3/);
    assert.match(shimPathFor('combo.precise_ip', mapWith({ 'combo.precise_ip': supported(2) }))!, /above 2/);
    assert.match(shimPathFor('access.kernel', mapWith({ 'access.kernel': { status: 'denied', errno: 13 } }))!, /exclude_kernel/);
  });

  it('says how EventSet works around broken RESET and group ioctls', () => {
    assert.match(shimPathFor('behaviour.ioctl_reset', mapWith({ 'behaviour.ioctl_reset': { status: 'broken' } }))!, /emulates RESET/);
    assert.match(shimPathFor('behaviour.ioctl_reset', mapWith({ 'behaviour.ioctl_reset': supported() }))!, /PERF_EVENT_IOC_RESET/);
    assert.match(shimPathFor('behaviour.ioctl_flag_group', mapWith({ 'behaviour.ioctl_flag_group': { status: 'broken' } }))!, /every event on its own/);
  });

  it('returns undefined for features the shim does not use', () => {
    assert.equal(shimPathFor('mmap.cap_user_time', mapWith()), undefined);
  });
});

import assert from 'node:assert/strict';
import { groupByKind, kindOf, onlyMatcher } from '../../../src/cli/feature-groups';

describe('cli feature groups', () => {
  it('groups events by type and everything else by its first segment', () => {
    assert.equal(kindOf('read_format.lost'), 'read_format');
    assert.equal(kindOf('event.hw_cache.l1d.read.miss'), 'event.hw_cache');
    assert.equal(kindOf('event.breakpoint'), 'event');
    assert.equal(kindOf('combo.clockid.tai'), 'combo');
  });

  it('orders kinds the ABI way', () => {
    const kinds = groupByKind(['combo.x', 'event.hardware.cpu_cycles', 'read_format.lost', 'attr.sigtrap', 'zzz.q']).map((g) => g.kind);
    assert.deepEqual(kinds, ['attr', 'read_format', 'event.hardware', 'combo', 'zzz']);
  });

  it('--only takes a kind, a glob, or several separated by commas', () => {
    const ids = ['read_format.lost', 'read_format.group', 'attr.sigtrap', 'event.hardware.cpu_cycles', 'event.software.cpu_clock'];
    assert.deepEqual(ids.filter(onlyMatcher('read_format.*')), ['read_format.lost', 'read_format.group']);
    assert.deepEqual(ids.filter(onlyMatcher('read_format')), ['read_format.lost', 'read_format.group']);
    assert.deepEqual(ids.filter(onlyMatcher('event.hardware')), ['event.hardware.cpu_cycles']);
    assert.deepEqual(ids.filter(onlyMatcher('*.lost,attr')), ['read_format.lost', 'attr.sigtrap']);
    assert.deepEqual(ids.filter(onlyMatcher('read')), [], 'a kind must match whole segments');
  });
});

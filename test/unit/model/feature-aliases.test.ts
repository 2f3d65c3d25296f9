/**
 * Renamed feature ids (0.1.x "scheduability" → "schedulability") stay
 * readable for one minor version: in dumps, in the cache, in diffMaps and
 * through feature() / supports().
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCapabilityDump } from '../../../src/cli/dump-file';
import { canonicalFeatureId, FEATURE_ALIASES, withCurrentIds } from '../../../src/model/feature-aliases';
import { diffIsEmpty, diffMaps } from '../../../src/model/map-diff';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { readCache, writeCache, type CacheKey } from '../../../src/probe/cache';
import { feature, supports } from '../../../src/root';
import { simulate } from '../../sim';
import { clone, entry, vmMap } from '../cli/fixtures';

/** The map as 0.1.0 wrote it: the new ids under their old spelling. */
function asOld(map: CapabilityMap): CapabilityMap {
  const old = clone(map);
  for (const [was, now] of Object.entries(FEATURE_ALIASES)) {
    old.features[was] = entry('supported', { value: 3 });
    delete old.features[now];
  }
  return old;
}

describe('model/feature-aliases', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-alias-')); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('maps the two misspelt ids to their new names and leaves others alone', () => {
    assert.equal(canonicalFeatureId('combo.group_scheduability'), 'combo.group_schedulability');
    assert.equal(canonicalFeatureId('behaviour.scheduability'), 'behaviour.schedulability');
    assert.equal(canonicalFeatureId('attr.sigtrap'), 'attr.sigtrap');
    assert.equal(canonicalFeatureId('toString'), 'toString');
  });

  it('rewrites old ids without changing the map it was given; a new id wins over an old one', () => {
    const old = asOld(vmMap());
    const before = JSON.stringify(old);
    const now = withCurrentIds(old);
    assert.equal(JSON.stringify(old), before);
    for (const [was, id] of Object.entries(FEATURE_ALIASES)) {
      assert.equal(now.features[was], undefined);
      assert.equal(now.features[id]?.value, 3);
    }
    const both = clone(old);
    both.features['combo.group_schedulability'] = entry('supported', { value: 4 });
    assert.equal(withCurrentIds(both).features['combo.group_schedulability']?.value, 4);
    const plain = vmMap();
    assert.equal(withCurrentIds(plain), plain);
  });

  it('a --from dump written with old ids reads back under the new ids', () => {
    const p = path.join(dir, 'old.json');
    fs.writeFileSync(p, JSON.stringify(asOld(vmMap())));
    const m = readCapabilityDump(p);
    assert.equal(m.features['combo.group_scheduability'], undefined);
    assert.equal(m.features['combo.group_schedulability']?.value, 3);
    assert.equal(m.features['behaviour.schedulability']?.value, 3);
  });

  it('a cached map with old ids is served under the new ids', () => {
    const key: CacheKey = { bootId: 'b00t', release: '6.18.0', uid: process.geteuid!(), paranoid: 2, engineVersion: '0.1.0' };
    assert.equal(writeCache(dir, key, asOld(vmMap())), true);
    const m = readCache(dir, key)!;
    assert.equal(m.features['combo.group_scheduability'], undefined);
    assert.equal(m.features['combo.group_schedulability']?.value, 3);
  });

  it('diffMaps of an old-id map against a new-id one reports nothing for the renamed ids', () => {
    const a = asOld(vmMap());
    const b = clone(a);
    for (const [was, id] of Object.entries(FEATURE_ALIASES)) {
      b.features[id] = b.features[was]!;
      delete b.features[was];
    }
    const d = diffMaps(a, b);
    assert.ok(diffIsEmpty(d), JSON.stringify(d));
    assert.equal(d.hasLoss, false);
  });

  it('feature() and supports() accept the old id and say it is deprecated', () => {
    const sim = simulate('nmi-watchdog');
    const now = feature('combo.group_schedulability', { ...sim, cache: false });
    const old = feature('combo.group_scheduability', { ...sim, cache: false });
    assert.equal(old.status, now.status);
    assert.equal(old.value, now.value);
    assert.match(old.reason ?? '', /"combo\.group_scheduability" is deprecated; it is now "combo\.group_schedulability"/);
    assert.equal(supports('combo.group_scheduability', { ...sim, cache: false }), now.status === 'supported');
  });
});

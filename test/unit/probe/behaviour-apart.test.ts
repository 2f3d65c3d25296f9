/**
 * Behaviour answers live apart from the ABI map: a map handed out is never
 * changed by a later behaviour run, the shim's read path on a map does not
 * depend on what ran before, and faults of the moment are never cached.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { simulate } from '../../sim';
import { getCapabilities, feature, forgetCapabilities } from '../../../src/root';
import { runCheck } from '../../../src/probe/behaviour-runner';
import { cacheFile, readCache, writeCache, type CacheKey } from '../../../src/probe/cache';
import { EventSet } from '../../../src/shim';

describe('behaviour answers apart from the map', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'pc-behave-')); });
  afterEach(() => { sinon.restore(); rmSync(dir, { recursive: true, force: true }); });

  it('a getCapabilities() result is not changed by a later behaviour run, nor is the next plain map', () => {
    const sim = simulate('quirky-pmu');
    const plain = getCapabilities({ ...sim, cache: { dir } });
    const before = JSON.stringify(plain);
    const withChecks = getCapabilities({ ...sim, cache: { dir }, behaviour: true });
    feature('behaviour.group_read', { ...sim, cache: { dir } });
    assert.notEqual(withChecks, plain);
    assert.ok(Object.keys(withChecks.features).some((id) => id.startsWith('behaviour.')));
    assert.equal(JSON.stringify(plain), before);
    const again = getCapabilities({ ...sim, cache: { dir } });
    assert.deepEqual(Object.keys(again.features).filter((id) => id.startsWith('behaviour.')), []);
    forgetCapabilities(sim.kernel);
    const fromDisk = getCapabilities({ ...sim, cache: { dir } });
    assert.equal(fromDisk.source, 'cache');
    assert.deepEqual(fromDisk.features, plain.features);
  });

  it('the EventSet read path on a map does not depend on whether behaviour checks ran before', () => {
    const sim = simulate('mainline-6.18', { quirks: { brokenGroupRead: true } });
    const map = getCapabilities({ ...sim, cache: false });
    const pathOf = (o: object): string => {
      const set = new EventSet({ kernel: sim.kernel, ...o });
      try { return set.readPath; } finally { set.close(); }
    };
    const given = pathOf({ capabilities: map });
    const byDefault = pathOf({ environment: sim.environment, uname: sim.uname });
    const checked = getCapabilities({ ...sim, cache: false, behaviour: true });
    assert.equal(checked.features['behaviour.group_read']?.status, 'broken');
    assert.equal(pathOf({ capabilities: map }), given);
    assert.equal(pathOf({ environment: sim.environment, uname: sim.uname }), byDefault);
    // The answer steers the set only when it is handed over explicitly.
    assert.equal(pathOf({ capabilities: checked }), 'per-event');
  });

  it('an answer whose evidence is a resource fault (EMFILE) is an error, not cached, and asked again', () => {
    const sim = simulate('mainline-6.18');
    const e = runCheck({ name: 'spawns', description: 'spawns a shell', run: () => ({ status: 'broken', reason: 'spawnSync /bin/sh EMFILE' }) }, sim.kernel);
    assert.equal(e.status, 'error');
    getCapabilities({ ...sim, cache: { dir } });
    const stub = sinon.stub(sim.kernel, 'perfEventOpen').returns({ errno: 24 });
    const faulted = getCapabilities({ ...sim, cache: { dir }, behaviour: true });
    assert.equal(faulted.features['behaviour.ioctl_reset']?.status, 'error');
    const files = readdirSync(join(dir)).filter((f) => f.startsWith('behaviour-'));
    for (const f of files) {
      const kept = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { behaviour: Record<string, { status: string }> };
      assert.equal(kept.behaviour['behaviour.ioctl_reset'], undefined);
    }
    stub.restore();
    assert.equal(feature('behaviour.ioctl_reset', { ...sim, cache: { dir } }).status, 'supported');
    forgetCapabilities(sim.kernel);
    const calls = sim.kernel.calls.length;
    assert.equal(feature('behaviour.ioctl_reset', { ...sim, cache: { dir } }).status, 'supported');
    assert.equal(sim.kernel.calls.length, calls, 'the good answer is served from its own cache file');
  });

  it('a cache file of an older version with behaviour entries mixed in is served without them, and none are written', () => {
    const sim = simulate('mainline-6.18');
    const map = getCapabilities({ ...sim, cache: false, behaviour: true });
    const key: CacheKey = { bootId: sim.environment.bootId ?? 'b', release: 'r', uid: process.geteuid?.() ?? 0, paranoid: 2, engineVersion: 'v' };
    assert.equal(writeCache(dir, key, map), true);
    const written = JSON.parse(readFileSync(cacheFile(dir, key), 'utf8')) as { map: { features: object } };
    assert.deepEqual(Object.keys(written.map.features).filter((id) => id.startsWith('behaviour.')), []);
    writeFileSync(cacheFile(dir, key), JSON.stringify({ ...written, map: { ...written.map, features: map.features } }), { mode: 0o600 });
    const served = readCache(dir, key);
    assert.ok(served);
    assert.deepEqual(Object.keys(served.features).filter((id) => id.startsWith('behaviour.')), []);
    assert.ok(Object.keys(served.features).length > 0);
  });
});

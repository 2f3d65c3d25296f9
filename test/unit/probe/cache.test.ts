import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheFile, defaultCacheDir, readCache, writeCache, type CacheKey } from '../../../src/probe/cache';
import { getCapabilities } from '../../../src/probe/capabilities';
import '../../../src/root';
import { CAPABILITY_SCHEMA, type CapabilityMap } from '../../../src/model/capability-map';
import { E } from './stub-kernel';
import { fakeEnv, kernel618, UNAME } from './fixtures';

const KEY: CacheKey = { bootId: 'b00t', release: '6.18.0', uid: process.geteuid!(), paranoid: 2, engineVersion: '0.1.0' };

function map(features: CapabilityMap['features'] = { 'attr.sigtrap': { status: 'supported' } }): CapabilityMap {
  return {
    schema: CAPABILITY_SCHEMA, engineVersion: '0.1.0',
    kernel: { release: '6.18.0', version: '#1', machine: 'x86_64', semver: '6.18.0' },
    environment: fakeEnv(), features, durationMs: 1, createdAt: new Date(0).toISOString(), source: 'probe',
  };
}

describe('probe/cache', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-cache-')); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('round-trips a map, with file mode 0600 in a 0700 directory', () => {
    const d = path.join(dir, 'perfcompat');
    assert.equal(writeCache(d, KEY, map()), true);
    const st = fs.statSync(cacheFile(d, KEY));
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(fs.statSync(d).mode & 0o777, 0o700);
    const back = readCache(d, KEY);
    assert.equal(back?.source, 'cache');
    assert.deepEqual(back?.features, map().features);
    assert.deepEqual(fs.readdirSync(d).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  });

  it('misses on any change of the key', () => {
    writeCache(dir, KEY, map());
    for (const change of [{ bootId: 'other' }, { release: '6.19.0' }, { uid: KEY.uid + 1 }, { paranoid: 1 }, { capabilities: '0' }, { seccomp: '2/1' }, { engineVersion: '0.2.0' }]) {
      assert.equal(readCache(dir, { ...KEY, ...change }), null, JSON.stringify(change));
    }
  });

  it('ignores a corrupt file, another schema, a world-writable file and a symlink, and replaces them', () => {
    const file = cacheFile(dir, KEY);
    fs.writeFileSync(file, '{not json', { mode: 0o600 });
    assert.equal(readCache(dir, KEY), null);
    fs.writeFileSync(file, JSON.stringify({ schema: 'perfcompat/capabilities@0', key: KEY, map: map() }));
    assert.equal(readCache(dir, KEY), null);
    fs.writeFileSync(file, JSON.stringify({ schema: CAPABILITY_SCHEMA, key: KEY, map: map() }));
    fs.chmodSync(file, 0o666);
    assert.equal(readCache(dir, KEY), null);
    fs.rmSync(file);
    const target = path.join(dir, 'elsewhere.json');
    fs.writeFileSync(target, JSON.stringify({ schema: CAPABILITY_SCHEMA, key: KEY, map: map() }), { mode: 0o600 });
    fs.symlinkSync(target, file);
    assert.equal(readCache(dir, KEY), null);
    assert.equal(writeCache(dir, KEY, map()), true);
    assert.equal(fs.lstatSync(file).isSymbolicLink(), false, 'the symlink was replaced, not followed');
    assert.notEqual(readCache(dir, KEY), null);
  });

  it('ignores a file owned by another user', function () {
    if (process.geteuid!() !== 0) this.skip(); // only root can make a file someone else's
    writeCache(dir, KEY, map());
    fs.chownSync(cacheFile(dir, KEY), 12345, 12345);
    assert.equal(readCache(dir, KEY), null);
  });

  it('never writes a map with error entries', () => {
    assert.equal(writeCache(dir, KEY, map({ 'attr.inherit': { status: 'error', errno: E.EMFILE } })), false);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('uses $XDG_CACHE_HOME/perfcompat, else ~/.cache/perfcompat', () => {
    const saved = process.env.XDG_CACHE_HOME;
    try {
      process.env.XDG_CACHE_HOME = '/x/cache';
      assert.equal(defaultCacheDir(), '/x/cache/perfcompat');
      delete process.env.XDG_CACHE_HOME;
      assert.equal(defaultCacheDir(), path.join(os.homedir(), '.cache', 'perfcompat'));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  it('serves the second getCapabilities from the cache without asking the kernel', () => {
    const env = fakeEnv({ euid: KEY.uid });
    const first = getCapabilities({ kernel: kernel618(), environment: env, uname: UNAME, cache: { dir } });
    assert.equal(first.source, 'probe');
    const k2 = kernel618();
    const second = getCapabilities({ kernel: k2, environment: env, uname: UNAME, cache: { dir } });
    assert.equal(second.source, 'cache');
    assert.equal(k2.calls.length, 0);
    assert.deepEqual(second.features, first.features);
    const again = getCapabilities({ kernel: k2, environment: env, uname: UNAME, cache: { dir }, refresh: true });
    assert.equal(again.source, 'probe');
  });

  it('caches nothing when perf_event_open is unusable', () => {
    const k = kernel618(() => ({ errno: E.EPERM }));
    assert.throws(() => getCapabilities({ kernel: k, environment: fakeEnv({ seccomp: { mode: 2, filters: 1 } }), uname: UNAME, cache: { dir } }));
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});

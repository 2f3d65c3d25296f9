/**
 * The cache against a hostile or stale directory (issue 16, items 2-4, 6, 8,
 * 12): a map of the right key but not of the shipped schema, an oversized
 * file, a FIFO, a symlinked or shared directory, stale temporary files, a
 * relative HOME; and keys that tell seccomp filters and environment facts apart.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PERF_FLAG } from '../../../src/abi/constants';
import { cacheFile, defaultCacheDir, readCache, writeCache, type CacheKey } from '../../../src/probe/cache';
import { cacheKeyFor } from '../../../src/probe/cache-key';
import { seccompFingerprint } from '../../../src/probe/cache-seccomp';
import { cause } from '../../../src/probe/availability';
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

const isRoot = process.geteuid?.() === 0;

describe('probe/cache hardening', () => {
  let base: string;
  let dir: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-cache-h-'));
    dir = path.join(base, 'perfcompat');
  });
  afterEach(() => {
    fs.chmodSync(base, 0o700);
    fs.rmSync(base, { recursive: true, force: true });
  });

  describe('what is read must match the shipped schema (item 4)', () => {
    for (const [what, bad] of [
      ['status "bogus"', { ...map(), features: { 'attr.sigtrap': { status: 'bogus' } } }],
      ['no environment or kernel', { schema: CAPABILITY_SCHEMA, engineVersion: '0.1.0', features: {} }],
      ['an entry with an unknown field', { ...map(), features: { 'attr.sigtrap': { status: 'supported', sneaky: 1 } } }],
      ['features not an object', { ...map(), features: [] }],
    ] as const) {
      it(`${what}: ignored, and getCapabilities probes again`, () => {
        assert.equal(writeCache(dir, KEY, map()), true);
        fs.writeFileSync(cacheFile(dir, KEY), JSON.stringify({ schema: CAPABILITY_SCHEMA, key: KEY, map: bad }), { mode: 0o600 });
        assert.equal(readCache(dir, KEY), null);
      });
    }

    it('a map written by the probe itself is served', () => {
      const env = fakeEnv({ euid: KEY.uid });
      const first = getCapabilities({ kernel: kernel618(), environment: env, uname: UNAME, cache: { dir } });
      assert.equal(first.source, 'probe');
      const files = fs.readdirSync(dir).filter((f) => f.startsWith('capabilities-'));
      assert.equal(files.length, 1);
      const body = JSON.parse(fs.readFileSync(path.join(dir, files[0]!), 'utf8')) as { map: CapabilityMap };
      assert.equal(getCapabilities({ kernel: kernel618(), environment: env, uname: UNAME, cache: { dir } }).source, 'cache');
      // The same file made malformed: probed again, not served, and replaced.
      body.map.features = { 'attr.sigtrap': { status: 'bogus' as 'supported' } };
      delete (body.map as Partial<CapabilityMap>).environment;
      fs.writeFileSync(path.join(dir, files[0]!), JSON.stringify(body), { mode: 0o600 });
      const k = kernel618();
      const again = getCapabilities({ kernel: k, environment: env, uname: UNAME, cache: { dir } });
      assert.equal(again.source, 'probe');
      assert.ok(k.calls.length > 0, 'the kernel was asked again');
    });
  });

  it('a file past the size limit is not read (item 6): a valid map padded past 32 MiB, or a 1 GiB sparse file, is ignored', () => {
    writeCache(dir, KEY, map());
    const file = cacheFile(dir, KEY);
    fs.appendFileSync(file, Buffer.alloc((32 << 20) + 1, 0x20));
    assert.equal(readCache(dir, KEY), null);
    fs.truncateSync(file, 1 << 30);
    assert.equal(readCache(dir, KEY), null);
  });

  describe('the directory and its files are opened safely (item 8)', () => {
    it('a FIFO in place of the cache file is ignored without blocking', function () {
      if (spawnSync('mkfifo', ['--help']).error) this.skip();
      writeCache(dir, KEY, map());
      fs.rmSync(cacheFile(dir, KEY));
      assert.equal(spawnSync('mkfifo', ['-m', '600', cacheFile(dir, KEY)]).status, 0);
      assert.equal(readCache(dir, KEY), null);
      assert.equal(writeCache(dir, KEY, map()), true, 'replaced by a regular file');
      assert.ok(fs.lstatSync(cacheFile(dir, KEY)).isFile());
    });

    it('a cache directory that is a symlink is neither read nor written through', () => {
      const elsewhere = fs.mkdtempSync(path.join(base, 'elsewhere-'));
      fs.symlinkSync(elsewhere, dir);
      assert.equal(writeCache(dir, KEY, map()), false);
      assert.deepEqual(fs.readdirSync(elsewhere), [], 'nothing written where the link points');
      fs.writeFileSync(path.join(elsewhere, path.basename(cacheFile(dir, KEY))), JSON.stringify({ schema: CAPABILITY_SCHEMA, key: KEY, map: map() }), { mode: 0o600 });
      assert.equal(readCache(dir, KEY), null, 'not read through the link');
    });

    it('a parent directory others can write (not sticky) is refused', () => {
      const shared = path.join(base, 'shared');
      fs.mkdirSync(shared);
      fs.chmodSync(shared, 0o777);
      const d = path.join(shared, 'perfcompat');
      assert.equal(writeCache(d, KEY, map()), false);
      assert.equal(fs.existsSync(d), false);
      fs.chmodSync(shared, 0o1777); // sticky, as /tmp: others cannot swap what is ours
      assert.equal(writeCache(d, KEY, map()), true);
    });

    it('a parent owned by another user is refused', function () {
      if (!isRoot) this.skip(); // only root can give a directory away
      const theirs = path.join(base, 'theirs');
      fs.mkdirSync(theirs, { mode: 0o755 });
      fs.chownSync(theirs, 65534, 65534);
      assert.equal(writeCache(path.join(theirs, 'perfcompat'), KEY, map()), false);
      assert.deepEqual(fs.readdirSync(theirs), []);
    });

    it('a 0777 cache directory is tightened to 0700 when served', () => {
      writeCache(dir, KEY, map());
      fs.chmodSync(dir, 0o777);
      assert.notEqual(readCache(dir, KEY), null);
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    });
  });

  describe('smaller (item 12)', () => {
    it('zero-byte temporary files of killed writers are removed; a live writer\'s fresh one is kept', () => {
      writeCache(dir, KEY, map());
      const name = path.basename(cacheFile(dir, KEY));
      let dead = 4_000_000;
      while (fs.existsSync(`/proc/${dead}`)) dead++;
      const stale = Array.from({ length: 5 }, (_, i) => path.join(dir, `${name}.${dead}.${'ab'.repeat(5)}${i}${i}.tmp`));
      for (const f of stale) fs.writeFileSync(f, '', { mode: 0o600 });
      const live = path.join(dir, `${name}.${process.pid}.0123456789ab.tmp`);
      fs.writeFileSync(live, '', { mode: 0o600 });
      assert.equal(writeCache(dir, KEY, map()), true);
      assert.deepEqual(stale.filter((f) => fs.existsSync(f)), []);
      assert.ok(fs.existsSync(live));
    });

    it('HOME empty or relative (and no absolute XDG_CACHE_HOME): no cache, never under the current directory', () => {
      const saved = { xdg: process.env.XDG_CACHE_HOME, home: process.env.HOME };
      try {
        for (const xdg of [undefined, '', 'relative/xdg']) {
          for (const home of ['', 'relative', '.']) {
            if (xdg === undefined) delete process.env.XDG_CACHE_HOME;
            else process.env.XDG_CACHE_HOME = xdg;
            process.env.HOME = home;
            assert.equal(defaultCacheDir(), null, `XDG_CACHE_HOME=${xdg} HOME=${JSON.stringify(home)}`);
          }
        }
      } finally {
        process.env.XDG_CACHE_HOME = saved.xdg;
        process.env.HOME = saved.home;
      }
    });

    it('seccomp\'s EACCES for root is worded as seccomp, not as a missing CAP_PERFMON', () => {
      const root = fakeEnv({ euid: 0, seccomp: { mode: 2, filters: 1 }, capabilities: { effective: '000001ffffffffff', perfmon: true, sysAdmin: true, bpf: true } });
      for (const errno of ['EACCES', 'EPERM']) {
        const text = cause(errno, root);
        assert.match(text, /seccomp/);
        assert.doesNotMatch(text, /lacks CAP_PERFMON/);
      }
      assert.doesNotMatch(cause('EACCES', { ...root, seccomp: { mode: 0, filters: 0 } }), /lacks CAP_PERFMON/);
    });
  });

  describe('keys (items 2, 3)', () => {
    it('two seccomp filters with the same count but different rules give different keys', () => {
      const env = fakeEnv({ seccomp: { mode: 2, filters: 1 } });
      const refusing = (flag: number) => kernel618((c) => ((c.flags & flag) !== 0 ? { errno: E.EPERM } : undefined));
      const a = seccompFingerprint(refusing(PERF_FLAG.FD_CLOEXEC));
      const b = seccompFingerprint(refusing(PERF_FLAG.PID_CGROUP));
      assert.notEqual(a, b);
      assert.notDeepEqual(cacheKeyFor(refusing(PERF_FLAG.FD_CLOEXEC), env, UNAME, false), cacheKeyFor(refusing(PERF_FLAG.PID_CGROUP), env, UNAME, false));
      assert.deepEqual(cacheKeyFor(refusing(PERF_FLAG.FD_CLOEXEC), env, UNAME, false), cacheKeyFor(refusing(PERF_FLAG.FD_CLOEXEC), env, UNAME, false), 'the same filter: the same key');
    });

    it('a fault of the moment during the seccomp checks gives no key (nothing cached)', () => {
      const env = fakeEnv({ seccomp: { mode: 2, filters: 1 } });
      assert.equal(cacheKeyFor(kernel618(() => ({ errno: E.EMFILE })), env, UNAME, false), null);
    });

    it('tracefs mounted or not, and the PMUs and their types, change the key', () => {
      const k = kernel618();
      const env = fakeEnv();
      const key = (e: typeof env) => JSON.stringify(cacheKeyFor(k, e, UNAME, false));
      assert.notEqual(key(env), key({ ...env, tracefs: '/sys/kernel/tracing' }));
      const cpu = { name: 'cpu', type: 4, formats: {}, caps: {}, events: [] };
      assert.notEqual(key({ ...env, pmus: [...env.pmus, cpu] }), key(env));
      assert.notEqual(key({ ...env, pmus: [...env.pmus, cpu] }), key({ ...env, pmus: [...env.pmus, { ...cpu, type: 9 }] }));
    });
  });
});

/**
 * The probe under a seccomp filter that refuses perf_event_open (EPERM, then
 * ENOSYS), installed by a tiny C launcher compiled on the spot: the CLI exits
 * 3 with a message naming seccomp, the library throws one clear error, and
 * nothing is cached.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRNO } from '../../../src/abi';
import { buildSeccompLauncher, mapScript, parseChild, PROJECT_ROOT } from './fault-harness';

describe('faults: seccomp refuses perf_event_open (real kernel)', function () {
  this.timeout(120_000);
  let dir: string;
  let launcher: string;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'perfcompat-seccomp-'));
    const built = buildSeccompLauncher(dir);
    if ('skip' in built) { console.log(`      skipped: ${built.skip}`); this.skip(); }
    launcher = built.path;
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const name of ['EPERM', 'ENOSYS'] as const) {
    describe(name, () => {
      let cache: string;
      beforeEach(() => { cache = mkdtempSync(join(dir, 'cache-')); });

      const env = (): NodeJS.ProcessEnv => ({ ...process.env, XDG_CACHE_HOME: cache, FAULT_CACHE_DIR: join(cache, 'perfcompat'), DEBUG: '' });

      it('the library throws one ERR_PERF_UNAVAILABLE naming seccomp, and caches nothing', () => {
        const r = spawnSync(launcher, [String(ERRNO[name]), process.execPath, '-e', mapScript(PROJECT_ROOT)], { encoding: 'utf8', env: env() });
        const out = parseChild(r, `library under seccomp ${name}`);
        assert.equal(out.ok, false, 'the probe must not produce a map');
        assert.equal(out.name, 'PerfcompatError');
        assert.equal(out.code, 'ERR_PERF_UNAVAILABLE');
        assert.equal(out.errno, ERRNO[name]);
        assert.match(out.message ?? '', /seccomp/i);
        assert.ok(!existsSync(join(cache, 'perfcompat')) || readdirSync(join(cache, 'perfcompat')).length === 0, 'nothing cached');
      });

      it('the CLI exits 3 with a message naming seccomp, and caches nothing', function () {
        const bin = join(PROJECT_ROOT, 'bin', 'probe.js');
        if (!existsSync(bin)) { console.log('      skipped: bin/probe.js is not there'); this.skip(); }
        const r = spawnSync(launcher, [String(ERRNO[name]), process.execPath, bin], { encoding: 'utf8', env: env() });
        assert.equal(r.status, 3, `exit ${r.status}; stderr: ${r.stderr}`);
        assert.match(r.stderr, /seccomp/i);
        assert.equal(r.stderr.trim().split('\n').length <= 3, true, `one clear message, got: ${r.stderr}`);
        assert.ok(!existsSync(join(cache, 'perfcompat')) || readdirSync(join(cache, 'perfcompat')).length === 0, 'nothing cached');
      });
    });
  }

  it('a filter on one open flag (ENOSYS for PERF_FLAG_PID_CGROUP only): that flag is denied, not unsupported; the rest of the map is unchanged', () => {
    const PID_CGROUP = 1 << 2;
    const env = { ...process.env, DEBUG: '' };
    const plain = parseChild(spawnSync(process.execPath, ['-e', mapScript(PROJECT_ROOT)], { encoding: 'utf8', env }), 'library without seccomp');
    const r = spawnSync(launcher, [`${ERRNO.ENOSYS}:${PID_CGROUP}`, process.execPath, '-e', mapScript(PROJECT_ROOT)], { encoding: 'utf8', env });
    const filtered = parseChild(r, 'library under a seccomp argument filter');
    assert.equal(plain.ok, true, plain.message);
    assert.equal(filtered.ok, true, filtered.message);
    const cg = filtered.features!['open_flags.pid_cgroup']!;
    assert.equal(cg.status, 'denied', cg.reason);
    assert.equal(cg.errnoName, 'ENOSYS');
    assert.match(cg.reason ?? '', /seccomp filter/);
    const changed = Object.keys(plain.features!).filter((id) => plain.features![id]!.status !== filtered.features![id]?.status);
    assert.deepEqual(changed.filter((id) => id !== 'open_flags.pid_cgroup'), [], 'only the filtered flag changed');
  });

  it('the launcher really filters: without it the same script probes', () => {
    const r = spawnSync(process.execPath, ['-e', mapScript(PROJECT_ROOT)], { encoding: 'utf8' });
    const out = parseChild(r, 'library without seccomp');
    assert.equal(out.ok, true, out.message);
  });
});

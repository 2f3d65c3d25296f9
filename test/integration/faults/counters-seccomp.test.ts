/**
 * The counters provider under a real seccomp filter that refuses
 * perf_event_open: available() and canCount() answer { ok: false, reason }
 * naming seccomp and never throw (the capability API's supports(id) throws
 * ERR_PERF_UNAVAILABLE there); init() throws that one clear error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRNO } from '../../../src/abi';
import { buildSeccompLauncher, PROJECT_ROOT } from './fault-harness';

const SCRIPT = `
  const c = require(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'src', 'counters'))});
  const { supports: featureSupports } = require(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'src', 'root'))});
  const out = { available: c.available({ }), canCount: c.canCount(['task-clock', 'cycles']) };
  try { c.counters({ events: ['task-clock'] }).init(); out.init = 'opened'; } catch (e) { out.init = { name: e.name, code: e.code }; }
  try { featureSupports('attr.inherit', { cache: false }); out.feature = 'answered'; } catch (e) { out.feature = { code: e.code }; }
  process.stdout.write(JSON.stringify(out) + '\\n');
`;

describe('faults: the counters provider under seccomp (real kernel)', function () {
  this.timeout(120_000);
  let dir: string;
  let launcher: string;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'perfcompat-counters-seccomp-'));
    const built = buildSeccompLauncher(dir);
    if ('skip' in built) { console.log(`      skipped: ${built.skip}`); this.skip(); }
    launcher = built.path;
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const name of ['EPERM', 'ENOSYS'] as const) {
    it(`${name}: available() and canCount() say no with a reason naming seccomp, and do not throw; init() throws ERR_PERF_UNAVAILABLE`, () => {
      const r = spawnSync(launcher, [String(ERRNO[name]), process.execPath, '-e', SCRIPT], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: join(dir, `cache-${name}`), DEBUG: '' } });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      let out: { available: { ok: boolean; reason?: string }; canCount: { ok: boolean; reason?: string }; init: unknown; feature: unknown };
      try { out = JSON.parse(line); } catch { throw new Error(`no JSON from the child (status ${r.status}): ${r.stderr.slice(0, 2000)}`); }
      assert.equal(out.available.ok, false);
      assert.match(out.available.reason ?? '', /seccomp/i);
      assert.equal(out.canCount.ok, false);
      assert.match(out.canCount.reason ?? '', /seccomp/i);
      assert.deepEqual(out.init, { name: 'PerfcompatError', code: 'ERR_PERF_UNAVAILABLE' });
      assert.deepEqual(out.feature, { code: 'ERR_PERF_UNAVAILABLE' }, 'the capability API still throws there: the provider is the one that does not');
    });
  }
});

/**
 * The test run never touches the user's cache: the root hook (test/helpers/
 * root-hooks.ts) points XDG_CACHE_HOME and HOME at a temporary directory, a
 * CLI child spawned by a test writes its cache there (also when it has no
 * XDG_CACHE_HOME and falls back to HOME), and the guard that fails the run
 * sees a change in a cache directory.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirState, stateChange } from '../../helpers/cache-guard';
import { testRun } from '../../helpers/root-hooks';
import { runCli } from '../../unit/cli/run-cli';

describe('test run cache isolation', () => {
  const guardedNow = (): string[] => testRun.guardedDirs.map((d) => JSON.stringify(dirState(d)));

  it('XDG_CACHE_HOME and HOME point into the run\'s temporary directory, not at the user\'s', () => {
    assert.ok(process.env.XDG_CACHE_HOME?.startsWith(testRun.root), process.env.XDG_CACHE_HOME);
    assert.equal(process.env.HOME, testRun.home);
    assert.notEqual(process.env.HOME, testRun.realEnv.HOME);
    for (const d of testRun.guardedDirs) assert.ok(!d.startsWith(testRun.root), d);
  });

  it('a CLI child writes its cache under the temporary XDG_CACHE_HOME, and the user\'s cache is unchanged', () => {
    const before = guardedNow();
    const r = runCli(['--json', '--refresh']);
    assert.equal(r.status, 0, r.stderr);
    const written = readdirSync(join(process.env.XDG_CACHE_HOME as string, 'perfcompat'));
    assert.ok(written.some((f) => f.endsWith('.json')), `cache files: ${written.join(', ')}`);
    assert.deepEqual(guardedNow(), before);
  });

  it('a CLI child without XDG_CACHE_HOME falls back to the temporary HOME', () => {
    const before = guardedNow();
    const r = runCli(['--json', '--refresh'], { env: { XDG_CACHE_HOME: undefined } });
    assert.equal(r.status, 0, r.stderr);
    const written = readdirSync(join(testRun.home, '.cache', 'perfcompat'));
    assert.ok(written.some((f) => f.endsWith('.json')), `cache files: ${written.join(', ')}`);
    assert.deepEqual(guardedNow(), before);
  });

  it('the guard sees a cache directory created, a file added, and a file rewritten', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfcompat-guard-'));
    try {
      const cache = join(dir, 'perfcompat');
      const absent = dirState(cache);
      mkdirSync(cache);
      assert.match(stateChange(absent, dirState(cache)), /was created/);
      const empty = dirState(cache);
      writeFileSync(join(cache, 'map.json'), '{}');
      assert.match(stateChange(empty, dirState(cache)), /\+ map\.json file 2 /);
      const one = dirState(cache);
      writeFileSync(join(cache, 'map.json'), '[]');
      assert.match(stateChange(one, dirState(cache)), /- map\.json[\s\S]*\+ map\.json/);
      assert.equal(stateChange(one, one), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The probe as an unprivileged user at perf_event_paranoid 2: counting the
 * kernel is `denied`, never `unsupported`, and every other answer equals
 * root's wherever permission is not the question. The sysctl is restored
 * even when the test fails.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isRoot, which, withSysctl, PARANOID, NOBODY, readableRootFor, mapScript, parseChild, ChildMap } from './fault-harness';

describe('faults: unprivileged caller at paranoid 2 (real kernel)', function () {
  this.timeout(180_000);

  before(function () {
    if (!isRoot()) { console.log('      skipped: needs root to run a child as nobody and to set perf_event_paranoid'); this.skip(); }
    if (!which('setpriv')) { console.log('      skipped: setpriv (util-linux) is not installed'); this.skip(); }
    if (!existsSync(PARANOID)) { console.log(`      skipped: ${PARANOID} does not exist (no perf events)`); this.skip(); }
  });

  it('kernel counting is denied, never unsupported; the rest equals root\'s where permission is not the question', () => {
    const { root, cleanup } = readableRootFor(NOBODY);
    try {
      withSysctl(PARANOID, '2', () => {
        const run = (asNobody: boolean): ChildMap => {
          const argv = [process.execPath, '-e', mapScript(root)];
          const r = asNobody
            ? spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...argv], { encoding: 'utf8', cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' } })
            : spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
          return parseChild(r, asNobody ? 'child as nobody' : 'child as root');
        };
        const rootMap = run(false);
        const user = run(true);
        assert.ok(rootMap.ok, `root probe failed: ${rootMap.message}`);
        assert.ok(user.ok, `unprivileged probe failed: ${user.code} ${user.message}`);
        assert.equal(user.euid, NOBODY);
        const uf = user.features!, rf = rootMap.features!;
        assert.equal(rf['access.kernel']?.status, 'supported');
        assert.equal(uf['access.kernel']?.status, 'denied', JSON.stringify(uf['access.kernel']));
        assert.equal(uf['access.cpu_wide']?.status, 'denied', JSON.stringify(uf['access.cpu_wide']));
        const differ: string[] = [];
        for (const [id, r] of Object.entries(rf)) {
          const u = uf[id];
          if (!u) { differ.push(`${id}: missing for nobody`); continue; }
          if (u.status === 'unsupported' && r.status !== 'unsupported') differ.push(`${id}: unsupported for nobody, ${r.status} for root (${u.reason ?? ''})`);
          // Permission questions: a refusal for this caller, or a base it may not open or read (tracefs is root-only).
          const permission = u.status === 'denied' || u.errnoName === 'EACCES' || u.errnoName === 'EPERM'
            || (u.status === 'untestable' && /not readable|denied|EACCES|EPERM/.test(u.reason ?? ''));
          if (u.status !== r.status && !permission) {
            differ.push(`${id}: ${u.status} for nobody, ${r.status} for root (${u.reason ?? ''})`);
          }
        }
        assert.deepEqual(differ, []);
        const denied = Object.entries(uf).filter(([, e]) => e.status === 'denied').map(([id]) => id);
        console.log(`      nobody: ${denied.length} denied (${denied.slice(0, 8).join(', ')}${denied.length > 8 ? ', …' : ''}); ${Object.keys(uf).length} entries`);
      });
    } finally {
      cleanup();
    }
  });
});

/**
 * User-space counter reads where executable memory is refused for real: a
 * seccomp filter (compiled on the spot) makes mprotect(PROT_EXEC) fail with
 * EACCES or EPERM, as SELinux execmem does, and Node runs --jitless under it.
 * The library must not crash: no stub, the reason names the refusal, and an
 * EventSet reads every event with read().
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRNO } from '../../../src/abi';
import { stubCode } from '../../../src/sys/user-counter';
import { buildExecmemLauncher, PROJECT_ROOT } from './fault-harness';

const SCRIPT = (root: string): string => `
  const { userCounterStubs } = require(${JSON.stringify(join(root, 'dist', 'src', 'sys', 'user-counter'))});
  const { realKernel } = require(${JSON.stringify(join(root, 'dist', 'src', 'sys', 'real-kernel'))});
  const { EventSet } = require(${JSON.stringify(join(root, 'dist', 'src', 'shim', 'event-set'))});
  const r = userCounterStubs(realKernel());
  const set = new EventSet({ capabilities: undefined, cache: false });
  set.add('task-clock');
  try { set.add('cycles'); } catch (e) { /* no PMU here */ }
  set.start();
  const values = Array.from(set.read());
  process.stdout.write(JSON.stringify({ stubs: 'stubs' in r, reason: r.reason, errno: r.errno, paths: set.userRead.paths, values }) + '\\n');
  set.close();
`;

describe('faults: executable memory refused (seccomp on mprotect PROT_EXEC, real kernel)', function () {
  this.timeout(120_000);
  let dir: string;
  let launcher: string;

  before(function () {
    if (stubCode(process.arch) === undefined) { console.log(`      skipped: no stub for ${process.arch}`); this.skip(); }
    dir = mkdtempSync(join(tmpdir(), 'perfcompat-execmem-'));
    const built = buildExecmemLauncher(dir);
    if ('skip' in built) { console.log(`      skipped: ${built.skip}`); this.skip(); }
    launcher = built.path;
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const name of ['EACCES', 'EPERM'] as const) {
    it(`${name}: no stub, the reason names the refusal, every event reads with read()`, () => {
      const env = { ...process.env, XDG_CACHE_HOME: join(dir, 'cache'), DEBUG: '' };
      const r = spawnSync(launcher, [String(ERRNO[name]), process.execPath, '--jitless', '-e', SCRIPT(PROJECT_ROOT)], { encoding: 'utf8', env });
      assert.equal(r.status, 0, `child exit ${r.status} signal ${r.signal}; stderr: ${r.stderr.slice(0, 2000)}`);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { stubs: boolean; reason: string; errno: number; paths: { event: string; path: string; reason: string }[]; values: number[] };
      assert.equal(out.stubs, false);
      assert.equal(out.errno, ERRNO[name]);
      assert.match(out.reason, new RegExp(`executable memory is refused.*${name}`));
      assert.ok(out.paths.length >= 1 && out.paths.every((p) => p.path === 'syscall'), JSON.stringify(out.paths));
      for (const p of out.paths.filter((x) => x.event !== 'task-clock')) assert.match(p.reason, /executable memory is refused/);
      assert.ok(out.values[0]! > 0, `task-clock counted: ${out.values}`);
    });
  }
});

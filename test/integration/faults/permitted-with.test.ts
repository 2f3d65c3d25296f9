/**
 * A denied answer is not the end (issue 15, item 15): as an unprivileged user
 * at perf_event_paranoid 2 on this kernel, every `denied` entry whose
 * user-space-only form opens says so (permittedWith), and the shim opens in
 * that form instead of refusing — here, counting without the kernel. The
 * sysctl is restored even when the test fails.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, which, withSysctl, PARANOID, NOBODY, readableRootFor, parseChild } from './fault-harness';

interface Child {
  ok: boolean;
  message?: string;
  euid?: number;
  denied?: Record<string, { permittedWith?: Record<string, number | string>; reason?: string }>;
  opened?: { exclude_kernel: number; exclude_hv: number; adaptations: { what: string; featureId?: string }[]; value: string };
}

function script(root: string): string {
  return `
    const { getCapabilities } = require(${JSON.stringify(join(root, 'dist', 'src', 'root'))});
    const { openEvent } = require(${JSON.stringify(join(root, 'dist', 'src', 'shim'))});
    let out;
    try {
      const map = getCapabilities({ cache: false });
      const denied = {};
      for (const [id, e] of Object.entries(map.features)) if (e.status === 'denied') denied[id] = { permittedWith: e.permittedWith, reason: e.reason };
      const ev = openEvent('task-clock', { capabilities: map });
      ev.enable(); let x = 0; for (let i = 0; i < 2e6; i++) x += i; ev.disable();
      const attr = ev.attr;
      const value = String(ev.read().values[0].value);
      ev.close();
      out = { ok: true, euid: map.environment.euid, denied, opened: { exclude_kernel: Number(attr.exclude_kernel || 0), exclude_hv: Number(attr.exclude_hv || 0), adaptations: ev.adaptations, value } };
    } catch (e) {
      out = { ok: false, message: String(e && e.stack || e) };
    }
    process.stdout.write(JSON.stringify(out) + '\\n');
  `;
}

describe('faults: a denied feature is used in the form permitted for this caller (real kernel, paranoid 2)', function () {
  this.timeout(180_000);

  before(function () {
    if (!isRoot()) { console.log('      skipped: needs root to run a child as nobody and to set perf_event_paranoid'); this.skip(); }
    if (!which('setpriv')) { console.log('      skipped: setpriv (util-linux) is not installed'); this.skip(); }
    if (!existsSync(PARANOID)) { console.log(`      skipped: ${PARANOID} does not exist (no perf events)`); this.skip(); }
  });

  it('access.kernel is denied with permittedWith user space only, and task-clock opens and counts in that form', () => {
    const { root, cleanup } = readableRootFor(NOBODY);
    try {
      withSysctl(PARANOID, '2', () => {
        const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', script(root)],
          { encoding: 'utf8', cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' } });
        const c = parseChild(r, 'child as nobody') as unknown as Child;
        assert.ok(c.ok, c.message);
        assert.equal(c.euid, NOBODY);
        const k = c.denied!['access.kernel'];
        assert.ok(k, 'access.kernel is denied for nobody at paranoid 2');
        assert.deepEqual(k.permittedWith, { exclude_kernel: 1, exclude_hv: 1 }, JSON.stringify(k));
        assert.match(k.reason ?? '', /permitted for this caller user space only/);
        // Every form recorded is the user-space-only one, and names no field the kernel lacks.
        for (const [id, e] of Object.entries(c.denied!)) {
          if (e.permittedWith) assert.deepEqual(Object.keys(e.permittedWith).sort(), ['exclude_hv', 'exclude_kernel'], id);
        }
        const o = c.opened!;
        assert.equal(o.exclude_kernel, 1);
        assert.equal(o.exclude_hv, 1);
        assert.ok(o.adaptations.some((a) => a.featureId === 'access.kernel' && /permittedWith/.test(JSON.stringify(a))), JSON.stringify(o.adaptations));
        assert.ok(BigInt(o.value) > 0n, `task-clock counted ${o.value}`);
      });
    } finally {
      cleanup();
    }
  });
});

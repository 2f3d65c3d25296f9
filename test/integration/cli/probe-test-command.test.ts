/**
 * `probe test` as users run it: the built CLI on this machine prints one
 * perf-test-like line per check, fails nothing here but the group re-enable
 * check where this kernel under-counts re-enabled members (held to raw
 * syscalls in test/integration/shim/event-set-reenable.test.ts), skips with
 * a reason, and exits 1 when a check or a user case fails.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ownCache } from '../../helpers/own-cache';

const BIN = resolve(__dirname, '../../../../bin/probe.js');

function probe(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('probe test (built CLI, this kernel)', () => {
  ownCache(); // what other suites cached must not change what these tests see
  it('lists every check as Ok or Skip (why) — the group re-enable check may fail, saying why — and exits 0 unless one failed', () => {
    const r = probe('test');
    const lines = r.out.trim().split('\n');
    assert.ok(lines.length >= 14);
    // This kernel (6.18) leaves a software member re-enabled by PERF_IOC_FLAG_GROUP off: that check fails, naming it.
    const reenable = /^ ?\d+: PERF_IOC_FLAG_GROUP .+: FAILED \(after \d+ rounds of .+ a member re-enabled by the group flag is left off the PMU .+\)$/;
    const failed = lines.filter((l) => reenable.test(l)).length;
    for (const line of lines) if (!reenable.test(line)) assert.match(line, /^ ?\d+: .+: (Ok|Skip \(.+\))$/);
    assert.equal(r.code, failed > 0 ? 1 : 0, r.out + r.err);
    assert.match(r.out, /group read returns every member.*: Ok/);
  });

  it('gives JSON with the entry of each check', () => {
    const r = probe('test', '--json', '--only', 'ioctl_reset,ioctl_id');
    assert.equal(r.code, 0, r.err);
    const rows = JSON.parse(r.out) as Array<{ id: string; outcome: string; status: string; measured: Record<string, unknown> }>;
    assert.deepEqual(rows.map((x) => x.id), ['behaviour.ioctl_reset', 'behaviour.ioctl_id']);
    assert.equal(rows[0]!.measured.afterReset, 0);
  });

  it('runs the README example cases (JSON, and CommonJS with a hook and needs): Ok or Skip (why), exit 0', () => {
    const r = probe('test', '--cases', resolve(__dirname, '../../../../test/integration/probe/cases'), '--only', 'page_faults_count,sleep_switches');
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^\d+: page-faults counts one fault per freshly touched page: Ok$/m);
    assert.match(r.out, /^\d+: a 20 ms sleep is at least one context switch: (Ok|Skip \(needs access\.kernel, which is \S+ here.*\))$/m);
  });

  it('exits 1 with FAILED (why) when a user case fails, and 2 for an unknown check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfcompat-cases-'));
    try {
      writeFileSync(join(dir, 'impossible.json'), JSON.stringify({
        name: 'impossible', description: 'task-clock counts more time than passed',
        events: [{ type: 'software', config: 'task_clock' }], work: { spin_ms: 5 }, expect: [{ event: 0, min: '2*wallNs' }],
      }));
      const r = probe('test', '--cases', dir, '--only', 'impossible');
      assert.equal(r.code, 1);
      assert.match(r.out, /^\d+: task-clock counts more time than passed: FAILED \(software\/task_clock = \d+, expected >= \d+ \(2\*wallNs\)\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const bad = probe('test', '--only', 'nope');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--only nope: no such behaviour check/);
  });
});

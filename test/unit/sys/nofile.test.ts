/**
 * Issue 15 item 16 (RLIMIT_NOFILE part): on EMFILE the open raises the soft
 * RLIMIT_NOFILE to the hard limit once, as perf does (tools/perf/util/evsel.c,
 * evsel__increase_rlimit), and opens again. On the fd-starved persona: 20 fds
 * in use under a soft limit of 24.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { realKernel } from '../../../src/sys/real-kernel';
import { openScope } from '../../../src/open/scope';
import { BASES } from '../../../src/probe/bases';
import { rlimitNofileResource } from '../../../src/sys/nofile';
import { isErr } from '../../../src/sys/kernel';
import { simulate } from '../../sim';

function openMany(kernel: ReturnType<typeof simulate>['kernel'], n: number): { fds: number; errnoName?: string } {
  const scope = openScope(kernel);
  try {
    for (let i = 0; i < n; i++) {
      const r = scope.open(BASES.counting);
      if (isErr(r)) return { fds: i, errnoName: r.errnoName };
    }
    return { fds: n };
  } finally { scope.dispose(); }
}

describe('sys/nofile: RLIMIT_NOFILE raised once on EMFILE', () => {
  it('opens past the soft limit when the hard limit allows, raising the soft one to it', () => {
    const sim = simulate('fd-starved', { rlimitNofileHard: 64 });
    const p = sim.kernel.persona;
    const room = p.rlimitNofileHard - p.fdsInUse;
    const want = p.rlimitNofile - p.fdsInUse + 4;
    assert.ok(want < room);
    assert.deepEqual(openMany(sim.kernel, want), { fds: want });
    const lim = sim.kernel.getrlimit(rlimitNofileResource(sim.kernel.arch));
    assert.ok(!isErr(lim));
    assert.equal(lim.soft, lim.hard);
    assert.equal(lim.hard, BigInt(p.rlimitNofileHard));
  });

  it('answers EMFILE once the hard limit is reached too, without raising again', () => {
    const sim = simulate('fd-starved', { rlimitNofileHard: 30 });
    const p = sim.kernel.persona;
    const r = openMany(sim.kernel, 100);
    assert.deepEqual(r, { fds: p.rlimitNofileHard - p.fdsInUse, errnoName: 'EMFILE' });
  });

  it('answers EMFILE where soft is hard already (nothing to raise)', () => {
    const sim = simulate('fd-starved');
    const p = sim.kernel.persona;
    assert.deepEqual(openMany(sim.kernel, 100), { fds: p.rlimitNofile - p.fdsInUse, errnoName: 'EMFILE' });
  });

  it('reads this process RLIMIT_NOFILE as /proc/self/limits shows it (real kernel)', function () {
    if (process.platform !== 'linux') this.skip();
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'))!;
    const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/).slice(0, 2).map((v) => (v === 'unlimited' ? (1n << 64n) - 1n : BigInt(v)));
    const k = realKernel();
    const lim = k.getrlimit(rlimitNofileResource(k.arch));
    assert.ok(!isErr(lim));
    assert.deepEqual([lim.soft, lim.hard], [soft, hard]);
  });
});

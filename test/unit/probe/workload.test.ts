/**
 * The Workload seam: a behaviour context counts the work of the workload it
 * is handed, else the one its kernel brings, else the real one.
 */
import assert from 'node:assert/strict';
import { simulate, SIM_NS_PER_ITERATION } from '../../sim';
import { BehaviourContext } from '../../../src/probe/behaviour-context';
import { realWorkload, workloadOf } from '../../../src/probe/workload';
import type { WorkDecl, WorkResult, Workload } from '../../../src/probe/behaviour-types';
import { CheckAbort } from '../../../src/probe/behaviour-verdict';

describe('Workload seam', () => {
  it('a context on a SimKernel counts the kernel\'s own workload', () => {
    const { kernel } = simulate('mainline-6.18');
    const ctx = new BehaviourContext(kernel);
    try {
      assert.equal(ctx.workload, kernel.workload);
      assert.equal(ctx.workload.exact, true);
      assert.equal(ctx.iterationsFor(2), Math.round(2e6 / SIM_NS_PER_ITERATION));
      assert.deepEqual(ctx.work({ iterations: 1000 }), { wallNs: 1000 * SIM_NS_PER_ITERATION, cpuNs: 1000 * SIM_NS_PER_ITERATION, pages: 0, children: 0 });
      assert.throws(() => ctx.stoppedChild(['/bin/true']), (e: unknown) => e instanceof CheckAbort && e.verdict.status === 'untestable' && e.verdict.reason === kernel.workload.cannotExec);
    } finally {
      ctx.dispose();
    }
  });

  it('a workload handed to the context replaces the kernel\'s, exec refusal included', () => {
    const { kernel } = simulate('mainline-6.18');
    const runs: WorkDecl[] = [];
    const fake: Workload = {
      exact: true,
      cannotExec: 'this workload runs no children',
      run(decl): WorkResult { runs.push(decl); return { wallNs: 7, cpuNs: 5, pages: 0, children: 0 }; },
      spanNs: (done) => done.wallNs,
      iterationsFor: (ms) => ms * 3,
      maxSampleRate: () => 42,
    };
    const ctx = new BehaviourContext(kernel, { workload: fake });
    try {
      assert.equal(ctx.work({ iterations: 9 }).cpuNs, 5);
      assert.deepEqual(runs, [{ iterations: 9 }]);
      assert.equal(ctx.iterationsFor(4), 12);
      assert.equal(ctx.maxSampleRate(), 42);
      assert.throws(() => ctx.work({ exec: ['/bin/true'] }), (e: unknown) => e instanceof CheckAbort && e.verdict.reason === 'this workload runs no children');
      assert.equal(runs.length, 1);
    } finally {
      ctx.dispose();
    }
  });

  it('a kernel that brings no workload gets the real one', () => {
    const { kernel } = simulate('mainline-6.18');
    const bare = { ...kernel, name: kernel.name, pageSize: () => kernel.pageSize() } as unknown as Parameters<typeof workloadOf>[0];
    delete (bare as { workload?: unknown }).workload;
    const w = workloadOf(bare);
    assert.equal(w.exact, false);
    assert.equal(w.cannotExec, undefined);
    assert.equal(realWorkload(bare).exact, false);
    const done = w.run({ iterations: 1000 });
    assert.equal(w.spanNs(done, 123), 123);
  });
});

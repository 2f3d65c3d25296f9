/**
 * permittedWith for hook probes (issue 15, item 3): a hook that classifies
 * its own open through the contract (ctx.refused, then ctx.permitted) gets
 * the same user-space-only form a standard declaration of the same open gets.
 * The expected form is the standard declaration's answer on the same
 * persona (paranoid2-user: perf_event_paranoid 2, perf_allow_kernel refuses
 * kernel space), never typed in.
 */
import assert from 'node:assert/strict';
import { ProbeRun } from '../../../src/probe/engine';
import { catalogue } from '../../../probes';
import type { ProbeDeclaration } from '../../../src/probe/contract';
import { isErr } from '../../../src/sys/kernel';
import { simulate } from '../../sim';

const KERNEL_TOO = { exclude_kernel: 0, exclude_hv: 0 } as const;

/** The same open twice: a standard declaration, and a hook that opens it itself. */
const standard: ProbeDeclaration = { id: 'access.kernel', description: 'kernel space', base: 'counting', set: KERNEL_TOO };
const hooked: ProbeDeclaration = {
  id: 'access.kernel_by_hook', description: 'kernel space, asked by a hook', base: 'counting',
  hook: (ctx, decl) => ctx.withBase('counting', (base, label) => {
    const attr = { ...base.attr, ...KERNEL_TOO };
    const r = ctx.open(attr);
    if (!isErr(r)) return { status: 'supported', base: label };
    return ctx.permitted(ctx.refused(decl, r.errno, base, KERNEL_TOO), attr);
  }),
};

function runOn(name: string, decls: ProbeDeclaration[]): ProbeRun {
  const sim = simulate(name, { clock: 'manual' });
  return new ProbeRun(sim.kernel, sim.environment, [...catalogue(sim.environment).filter((d) => d.id === 'attr.size'), ...decls]);
}

describe('permittedWith for hooks through the contract (issue 15, item 3)', function () {
  this.timeout(60_000);

  it('paranoid2-user: a hook\'s denied open carries the user-space-only form the standard declaration of that open carries', () => {
    const run = runOn('paranoid2-user', [standard, hooked]);
    try {
      const s = run.entry(standard.id);
      const h = run.entry(hooked.id);
      assert.equal(s.status, 'denied');
      assert.ok(s.permittedWith, JSON.stringify(s));
      assert.equal(h.status, 'denied', JSON.stringify(h));
      assert.deepEqual(h.permittedWith, s.permittedWith);
      assert.match(h.reason ?? '', /permitted for this caller user space only/);
    } finally { run.dispose(); }
  });

  it('ctx.permitted leaves an answer alone where the user-space-only form is refused too, and asks nothing for one not denied', () => {
    const sim = simulate('paranoid2-user', { clock: 'manual' });
    const run = new ProbeRun(sim.kernel, sim.environment, [hooked]);
    try {
      // An entry that is denied for another reason than kernel space: the form is asked, refused, nothing recorded.
      const e = run.permitted({ status: 'denied', reason: 'CPU-wide' }, { type: 1, config: 0, disabled: 1 }, { pid: -1, cpu: 0 });
      assert.equal(e.permittedWith, undefined);
      // Not denied: nothing asked.
      const calls = sim.kernel.calls.length;
      assert.equal(run.permitted({ status: 'unsupported' }, { type: 1, config: 0 }).permittedWith, undefined);
      assert.equal(sim.kernel.calls.length, calls);
    } finally { run.dispose(); }
  });

  it('paranoid2-user: the built-in hooks\' denied answers carry permittedWith only with the form that opens', () => {
    const sim = simulate('paranoid2-user', { clock: 'manual' });
    const run = new ProbeRun(sim.kernel, sim.environment, catalogue(sim.environment));
    try {
      for (const d of catalogue(sim.environment)) run.entry(d.id);
      for (const [id, e] of run.results()) {
        if (e.permittedWith) assert.deepEqual(Object.keys(e.permittedWith).sort(), ['exclude_hv', 'exclude_kernel'], id);
      }
    } finally { run.dispose(); }
  });
});

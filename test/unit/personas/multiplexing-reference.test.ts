/**
 * Check 5's reference (probes/behaviour/multiplexing.ts). Under qemu TCG an
 * unprivileged `probe test` once read "a scaled count is 26% off the
 * reference" on a PMU that multiplexes right: the events count user time
 * only (exclude_kernel at paranoid 2), the rotation itself runs in the
 * kernel (perf_mux_hrtimer_handler → perf_rotate_context,
 * kernel/events/core.c), and the lone reference, measured before and after
 * the window without any rotation, saw none of that kernel time. The persona
 * quirk rotationKernelShare models it. Rule: the reference is a pinned copy
 * of the event over the same window (ctx_sched_in puts pinned groups on
 * first; one that does not fit goes into error state and reads 0 bytes);
 * the lone reference only where the pinned copy did not open or did not stay on.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { runBehaviourTests } from '../../../src/probe/behaviour-runner';
import { decodeAttr, ERRNO } from '../../../src/abi';
import { isErr } from '../../../src/sys/kernel';
import { simulate } from '../../sim';
import '../../../src/root';

const NAME = 'qemu-arm64-pmuv3';
/** An unprivileged caller at paranoid 2: the cycles events count user time only. */
const USER = { euid: 65534, paranoid: 2 };
/** The kernel time a rotation adds, as a share of the task's time while the PMU rotates. */
const SHARE = 0.3;

function check(sim: ReturnType<typeof simulate>): { outcome: string; reason: string; measured: Record<string, unknown> } {
  const [r] = runBehaviourTests({ kernel: sim.kernel, only: ['multiplexing'] });
  return { outcome: r!.outcome, reason: r!.entry.reason ?? '', measured: (r!.entry.measured ?? {}) as Record<string, unknown> };
}

/** Make the sim refuse (EINVAL) or error-state every pinned event it is asked to open. */
function spoilPinned(sim: ReturnType<typeof simulate>, how: 'refuse' | 'error-state'): void {
  const k = sim.kernel;
  const pinnedFds = new Set<number>();
  const open = k.perfEventOpen.bind(k);
  sinon.stub(k, 'perfEventOpen').callsFake((attr, pid, cpu, group, flags) => {
    const a = decodeAttr(attr);
    if (a.pinned && how === 'refuse') return { errno: ERRNO.EINVAL! };
    const r = open(attr, pid, cpu, group, flags);
    if (a.pinned && !isErr(r)) pinnedFds.add(r.fd);
    return r;
  });
  const read = k.read.bind(k);
  sinon.stub(k, 'read').callsFake((fd, buf) => (pinnedFds.has(fd) ? { bytes: 0 } : read(fd, buf)));
}

describe(`${NAME}: check 5 judges multiplexed counts against a pinned copy over the same window`, function () {
  this.timeout(120_000);
  afterEach(() => sinon.restore());

  it('unprivileged, with the rotation\'s kernel time left out of the counts: Ok against the pinned copy', () => {
    const sim = simulate(NAME, { clock: 'manual', ...USER, quirks: { rotationKernelShare: SHARE } });
    const r = check(sim);
    assert.equal(r.outcome, 'ok', `${r.reason} ${JSON.stringify(r.measured)}`);
    assert.equal(r.measured.reference, 'pinned');
    assert.equal(r.measured.multiplexed, r.measured.events, 'every copy was multiplexed');
    // The lone reference is the one the kernel time moved: the pinned copy's rate is lower by the share.
    const pinnedPerNs = Number(r.measured.pinnedPerNs);
    assert.ok(Math.abs(pinnedPerNs / Number(r.measured.referenceRate) - (1 - SHARE)) < 0.02, JSON.stringify(r.measured));
  });

  it('root (kernel time counted): Ok against the pinned copy, with or without the quirk', () => {
    for (const quirks of [{}, { rotationKernelShare: SHARE }]) {
      const r = check(simulate(NAME, { clock: 'manual', quirks }));
      assert.equal(r.outcome, 'ok', `${JSON.stringify(quirks)}: ${r.reason}`);
      assert.equal(r.measured.reference, 'pinned');
    }
  });

  const spoiled = [
    ['refuse', 'a pinned copy that does not open', /did not open: .*EINVAL/],
    ['error-state', 'a pinned copy in error state (read gives 0 bytes)', /^not on the PMU the whole window$/],
  ] as const;
  for (const [how, what, says] of spoiled) {
    it(`${what}: the lone reference, saying why; Ok where nothing moves it, not a broken check`, () => {
      const sim = simulate(NAME, { clock: 'manual', ...USER });
      spoilPinned(sim, how);
      const r = check(sim);
      assert.equal(r.outcome, 'ok', r.reason);
      assert.equal(r.measured.reference, 'lone');
      assert.match(String(r.measured.pinned), says);
    });
  }

  it('with only the lone reference, the kernel time the counts leave out is still a finding, naming which reference', () => {
    const sim = simulate(NAME, { clock: 'manual', ...USER, quirks: { rotationKernelShare: SHARE } });
    spoilPinned(sim, 'refuse');
    const r = check(sim);
    assert.equal(r.outcome, 'failed');
    assert.match(r.reason, /a scaled count is 30% off the event alone/);
  });
});

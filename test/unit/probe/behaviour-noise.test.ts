/**
 * A noisy machine (a loaded host, a kernel under qemu TCG) must not make a
 * working kernel look broken: a counter whose counts wobble still counts,
 * throttled sampling still samples. A counter that counts zeros or does not
 * grow with work, and sampling far off with nothing to explain it, are
 * still broken.
 */
import assert from 'node:assert/strict';
import { simulate } from '../../sim';
import type { SimKernel } from '../../sim';
import { throttleSampling } from '../../sim/sim-throttle';
import { runBehaviourTests } from '../../../src/probe/behaviour-runner';
import '../../../src/root';
import { judgeSamples } from '../../../probes/behaviour/sampling';
import { REPETITIONS, WORK_FACTOR } from '../../../probes/behaviour/counter-counts';

const HEALTHY = 'mainline-6.18';

function one(kernel: SimKernel, name: string) {
  const [r] = runBehaviourTests({ kernel, only: [name] });
  assert.ok(r, `no result for ${name}`);
  return r;
}

/** Scale each work(ns) call that does work by the next factor of `factors` (cycled): time that runs faster or slower than the work. */
function noisy(kernel: SimKernel, factors: number[]): SimKernel {
  const inner = kernel.work.bind(kernel);
  let i = 0;
  kernel.work = (ns: number): void => inner(ns === 0 ? 0 : ns * factors[i++ % factors.length]!);
  return kernel;
}

describe('behaviour checks on a noisy machine', () => {
  describe('counter_counts', () => {
    it('a first pair spoiled as under TCG (small run counted 8×, large 1.3×) is retried, and the counter is supported', () => {
      const { kernel } = simulate(HEALTHY, { clock: 'manual' });
      noisy(kernel, [8, 1.3, 1.2, 0.9, 1, 1, 1, 1, 1, 1]);
      const r = one(kernel, 'counter_counts');
      assert.equal(r.entry.status, 'supported', r.entry.reason);
      // The spoiled pair did not grow (8 > 1.3×5 = 6.5); the second is the one judged.
      assert.equal(r.entry.measured?.['task_clock.runs'], 2);
      assert.equal(r.entry.measured?.['task_clock.ratio'], Number((WORK_FACTOR * 0.9 / 1.2).toFixed(3)));
    });

    it('counts off by about 2× on every run (the small run 1.8× long, the large 0.8×: ratio 2.2 for 5) are supported, in one run', () => {
      const { kernel } = simulate(HEALTHY, { clock: 'manual' });
      noisy(kernel, [1.8, 0.8]);
      const r = one(kernel, 'counter_counts');
      assert.equal(r.entry.status, 'supported', r.entry.reason);
      assert.equal(r.entry.measured?.['task_clock.runs'], 1);
      assert.equal(r.entry.measured?.['cpu_cycles.runs'], 1);
    });

    it('a fixed cost per interval (3 ms of syscalls under emulation) is taken out of the ratio: 5 for 5× the work, not 3.5', () => {
      const { kernel } = simulate(HEALTHY, { clock: 'manual' });
      const inner = kernel.work.bind(kernel);
      kernel.work = (ns: number): void => inner(ns + 3_000_000);
      const r = one(kernel, 'counter_counts');
      assert.equal(r.entry.status, 'supported', r.entry.reason);
      assert.equal(r.entry.measured?.['task_clock.base'], 3_000_000);
      assert.equal(r.entry.measured?.['task_clock.ratio'], WORK_FACTOR);
    });

    it('a counter that counts the same whatever the work is broken ("did not grow"), after every repetition', () => {
      const { kernel } = simulate(HEALTHY, { clock: 'manual' });
      const inner = kernel.work.bind(kernel);
      kernel.work = (): void => inner(3_000_000);
      const r = one(kernel, 'counter_counts');
      assert.equal(r.entry.status, 'broken');
      assert.match(r.entry.reason ?? '', /task_clock did not grow with work/);
      assert.equal(r.entry.measured?.['task_clock.runs'], REPETITIONS);
    });

    it('a counter that grows but not with the work (1.2× for 5×, every time) is broken', () => {
      const { kernel } = simulate(HEALTHY, { clock: 'manual' });
      noisy(kernel, [WORK_FACTOR, 1.2]);
      const r = one(kernel, 'counter_counts');
      assert.equal(r.entry.status, 'broken');
      assert.match(r.entry.reason ?? '', /task_clock does not scale with work: best ratio 1\.20/);
    });

    it('a zero-counting clock stays broken however noisy the machine', () => {
      const { kernel } = simulate('vm-no-pmu', { clock: 'manual', quirks: { zeroCounts: ['software'] } });
      noisy(kernel, [8, 1.3, 1.2, 0.9]);
      const r = one(kernel, 'counter_counts');
      assert.equal(r.entry.status, 'broken');
      assert.match(r.entry.reason ?? '', /task_clock counted 0 .*a counter that counts zeros/);
    });
  });

  describe('overflow and ioctl_period', () => {
    it('throttled sampling (a quarter of the samples, with THROTTLE records) is supported, with a note', () => {
      const { kernel } = simulate(HEALTHY, { clock: 'manual' });
      throttleSampling(kernel, 4);
      const r = one(kernel, 'overflow');
      assert.equal(r.entry.status, 'supported', r.entry.reason);
      assert.ok(Number(r.entry.measured?.throttles) > 0);
      assert.ok(Number(r.entry.measured?.samples) < Number(r.entry.measured?.low));
      assert.match(String(r.entry.measured?.note), /throttled \d+ time/);
    });

    it('timers coarser than the period (a quarter of the samples, nothing throttled): retried at a longer period, still a quarter, so broken', () => {
      const { kernel } = simulate(HEALTHY, { clock: 'manual' });
      throttleSampling(kernel, 8, { records: false });
      const r = one(kernel, 'overflow');
      assert.equal(r.entry.status, 'broken');
      assert.match(r.entry.reason ?? '', /more than 3× off with no throttling or loss.*at 1000000 ns before: 5 samples/);
    });

    it('timers coarser than the period whose longer period is honoured: supported, with the coarse timers noted', () => {
      const { kernel } = simulate(HEALTHY, { clock: 'manual' });
      // One sample per 4 periods at 1 ms (a 4 ms tick), every period at 8 ms.
      const inner = kernel.work.bind(kernel);
      throttleSampling(kernel, 4, { records: false });
      const coarse = kernel.work;
      kernel.work = (ns: number): void => {
        const sampling = kernel.openFds().map((fd) => kernel.event(fd)).filter((e) => e?.enabled && (e.samplePeriod ?? 0n) > 0n);
        (sampling.some((e) => e!.samplePeriod < 4_000_000n) ? coarse : inner)(ns);
      };
      const o = one(kernel, 'overflow');
      assert.equal(o.entry.status, 'supported', o.entry.reason);
      assert.equal(o.entry.measured?.firstSamples, 10);
      assert.equal(o.entry.measured?.periodNs, 8_000_000);
      assert.match(String(o.entry.measured?.note), /coarse timers: 10 samples/);
      const p = one(kernel, 'ioctl_period');
      assert.equal(p.entry.status, 'supported', p.entry.reason);
      assert.equal(p.entry.measured?.periodBefore, 8_000_000);
      assert.equal(p.entry.measured?.ratioAfter, 1);
    });

    it('PERIOD under throttling: the rate still falls by the factor asked, so it is supported', () => {
      const { kernel } = simulate(HEALTHY, { clock: 'manual' });
      throttleSampling(kernel, 4);
      const r = one(kernel, 'ioctl_period');
      assert.equal(r.entry.status, 'supported', r.entry.reason);
      assert.ok(Math.abs(Number(r.entry.measured?.rateChange) - 4) < 0.5, String(r.entry.measured?.rateChange));
    });
  });

  describe('judgeSamples', () => {
    const rec = (samples: number, throttles = 0, lost = 0) => ({ samples, throttles, unthrottles: throttles, lost });

    it('within tolerance is ok; none at all is broken even when throttled', () => {
      assert.equal(judgeSamples(40e6, 1e6, 0.25, rec(38)).outcome, 'ok');
      assert.equal(judgeSamples(40e6, 1e6, 0.25, rec(0, 3)).outcome, 'broken');
    });

    it('a shortfall is limited when throttling, loss or the sample-rate limit explains it, or when within 3×', () => {
      assert.equal(judgeSamples(78e6, 1e5, 0.25, rec(41, 2)).outcome, 'limited');
      assert.equal(judgeSamples(78e6, 1e5, 0.25, rec(41, 0, 1)).outcome, 'limited');
      assert.equal(judgeSamples(78e6, 1e5, 0.25, rec(41), 5000).outcome, 'limited');
      assert.equal(judgeSamples(40e6, 1e6, 0.25, rec(20)).outcome, 'limited');
      assert.equal(judgeSamples(78e6, 1e5, 0.25, rec(41), 100000).outcome, 'broken');
    });

    it('far too many samples is broken: throttling does not explain a surplus', () => {
      assert.equal(judgeSamples(40e6, 1e6, 0.25, rec(200, 2)).outcome, 'broken');
    });
  });
});

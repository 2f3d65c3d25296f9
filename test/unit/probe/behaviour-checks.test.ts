/**
 * Each broken behaviour of a simulated kernel makes exactly the matching
 * check fail, with what was measured; the healthy kernel passes them.
 */
import assert from 'node:assert/strict';
import { simulate } from '../../sim';
import type { SimKernel } from '../../sim';
import { runBehaviourTests, runBehaviourChecks } from '../../../src/probe/behaviour-runner';
import '../../../src/root';

const HEALTHY = 'mainline-6.18';

function run(kernel: SimKernel, only?: string[]) {
  return runBehaviourTests(only ? { kernel, only } : { kernel });
}

function openFds(kernel: SimKernel): number {
  let open = 0;
  for (const c of kernel.calls) {
    if (c.call === 'perf_event_open' && typeof (c.result as { fd?: number }).fd === 'number') open++;
    if (c.call === 'close' && (c.result as { ok?: boolean }).ok === true) open--;
  }
  return open;
}

describe('behaviour checks on simulated kernels', () => {
  it('a healthy kernel passes every check a simulation can answer, and closes every fd', () => {
    const { kernel } = simulate(HEALTHY);
    const results = run(kernel);
    const byName = new Map(results.map((r) => [r.name, r]));
    for (const name of ['counter_counts', 'group_read', 'schedulability', 'multiplexing', 'ioctl_reset', 'ioctl_disable_enable', 'ioctl_flag_group', 'ioctl_period', 'ioctl_id', 'overflow']) {
      assert.equal(byName.get(name)?.outcome, 'ok', `${name}: ${byName.get(name)?.entry.reason}`);
    }
    // Child-process checks cannot run on a simulation: skipped with the reason, never passed.
    for (const name of ['group_read_after_exit', 'enable_on_exec', 'inherit']) {
      assert.equal(byName.get(name)?.outcome, 'skip');
      assert.match(byName.get(name)?.entry.reason ?? '', /simulated kernel/);
    }
    assert.equal(openFds(kernel), 0);
  });

  it('records the largest group that runs as the schedulability value', () => {
    const { kernel } = simulate(HEALTHY);
    const [r] = run(kernel, ['schedulability']);
    assert.equal(r?.entry.status, 'supported');
    assert.equal(r?.entry.value, kernel.persona.pmu?.counters);
  });

  it('a PMU that counts zeros makes counter_counts broken, with the zeros measured', () => {
    const { kernel } = simulate(HEALTHY, { quirks: { zeroCounts: ['hardware'] } });
    const results = run(kernel);
    const failed = results.filter((r) => r.outcome === 'failed').map((r) => r.name);
    assert.ok(failed.includes('counter_counts'), `failed: ${failed.join(', ')}`);
    const cc = results.find((r) => r.name === 'counter_counts')!;
    assert.equal(cc.entry.status, 'broken');
    assert.equal(cc.entry.measured?.['cpu_cycles.25ms'], 0);
    assert.match(cc.entry.reason ?? '', /cpu_cycles counted 0/);
    // Software counters still count: the reason names only the hardware ones.
    assert.doesNotMatch(cc.entry.reason ?? '', /task_clock/);
  });

  it('a zero-counting software clock is broken too', () => {
    const { kernel } = simulate('vm-no-pmu', { quirks: { zeroCounts: ['software'] } });
    const [r] = run(kernel, ['counter_counts']);
    assert.equal(r?.outcome, 'failed');
    assert.match(r?.entry.reason ?? '', /task_clock counted 0/);
  });

  it('a FORMAT_GROUP read that returns only the leader makes group_read broken', () => {
    const { kernel } = simulate(HEALTHY, { quirks: { brokenGroupRead: true } });
    const results = run(kernel);
    const gr = results.find((r) => r.name === 'group_read')!;
    assert.equal(gr.entry.status, 'broken');
    assert.match(gr.entry.reason ?? '', /3 member/);
    assert.equal(gr.entry.measured?.expectedBytes, 72);
    // Checks that do not read groups are unaffected.
    assert.equal(results.find((r) => r.name === 'ioctl_reset')?.outcome, 'ok');
    assert.equal(results.find((r) => r.name === 'schedulability')?.outcome, 'ok');
  });

  it('a group that opens but never runs (NMI watchdog) makes schedulability broken with the largest that runs', () => {
    const { kernel } = simulate('nmi-watchdog');
    const [r] = run(kernel, ['schedulability']);
    assert.equal(r?.entry.status, 'broken');
    assert.equal(r?.entry.value, 3);
    assert.equal(r?.entry.measured?.largestOpen, 4);
    assert.match(r?.entry.reason ?? '', /group of 4 cpu-cycles events opens but never runs/);
  });

  it('a RESET that does nothing makes ioctl_reset broken and nothing else', () => {
    const { kernel } = simulate(HEALTHY, { quirks: { resetNoop: true } });
    const results = run(kernel);
    const reset = results.find((r) => r.name === 'ioctl_reset')!;
    assert.equal(reset.entry.status, 'broken');
    assert.ok(Number(reset.entry.measured?.afterReset) > 0);
    assert.equal(results.find((r) => r.name === 'counter_counts')?.outcome, 'ok');
    assert.equal(results.find((r) => r.name === 'group_read')?.outcome, 'ok');
  });

  it('a REFRESH that never disables makes ioctl_refresh broken: more samples than allowed, and counting goes on', () => {
    const healthy = run(simulate(HEALTHY).kernel).find((r) => r.name === 'ioctl_refresh')!;
    assert.equal(healthy.entry.status, 'supported');
    assert.equal(healthy.entry.measured?.samples, 3);
    const { kernel } = simulate(HEALTHY, { quirks: { refreshIgnored: true } });
    const results = run(kernel);
    const refresh = results.find((r) => r.name === 'ioctl_refresh')!;
    assert.equal(refresh.entry.status, 'broken');
    assert.ok(Number(refresh.entry.measured?.samples) > 3, `samples ${refresh.entry.measured?.samples}`);
    assert.match(refresh.entry.reason ?? '', /kept counting after its 3 overflows/);
    assert.equal(results.find((r) => r.name === 'overflow')?.outcome, 'ok');
  });

  it('a machine without a PMU skips the hardware checks with the errno as the reason', () => {
    const { kernel } = simulate('vm-no-pmu');
    const map = runBehaviourChecks({ kernel, only: ['schedulability', 'multiplexing', 'counter_counts'] });
    assert.equal(map['behaviour.schedulability']?.status, 'no-hardware');
    assert.equal(map['behaviour.schedulability']?.errnoName, 'ENOENT');
    assert.equal(map['behaviour.multiplexing']?.status, 'no-hardware');
    assert.equal(map['behaviour.counter_counts']?.status, 'supported');
    assert.match(String(map['behaviour.counter_counts']?.measured?.cpu_cycles), /absent: ENOENT/);
  });

  it('a seccomp filter makes every check a Skip (denied), not a failure', () => {
    const { kernel } = simulate('seccomp-eperm');
    const results = run(kernel);
    assert.deepEqual(results.filter((r) => r.outcome !== 'skip').map((r) => r.name), []);
    assert.equal(results.find((r) => r.name === 'group_read')?.entry.status, 'denied');
  });
});

import assert from 'node:assert/strict';
import { palette } from '../../../src/cli/color';
import { statEventNames } from '../../../src/cli/commands/stat';
import { UsageError } from '../../../src/cli/command';
import { PerfcompatError } from '../../../src/errors';
import { formatStat, footerLines, metricText } from '../../../src/cli/stat-format';
import { csvLines, jsonObjects } from '../../../src/cli/stat/machine-format';
import { counterValueText, metricFor } from '../../../src/cli/stat/metrics';
import { missingText } from '../../../src/cli/stat/missing-text';
import { mergeRuns, rowsOf, sumValues, type StatRow } from '../../../src/cli/stat/rows';
import { mean, noiseText, stddevOfMean } from '../../../src/cli/stat/stats';
import { visibleLength } from '../../../src/cli/text';
import type { EventValue } from '../../../src/shim';
import { vmMap } from './fixtures';

function value(name: string, v: bigint, enabled: bigint, running: bigint, extra: Partial<EventValue> = {}): EventValue {
  const counted = running > 0n || enabled === 0n;
  const multiplexed = running > 0n && running < enabled;
  const scaled = !counted ? 0n : multiplexed ? (v * enabled) / running : v;
  return { name, group: 0, value: v, timeEnabled: enabled, timeRunning: running, scaled, multiplexed, counted, ...extra };
}

const plain = palette(false);

describe('cli stat format', () => {
  it('prints clocks in msec (with modifiers too) and counts as integers; refused and unscheduled events as perf does', () => {
    const rows = rowsOf(['task-clock', 'cpu-clock:u', 'page-faults', 'r1a3', 'cycles'], [
      value('task-clock', 1_234_567n, 10n, 10n), value('cpu-clock:u', 2_000_000n, 10n, 10n), value('page-faults', 1_234_567n, 10n, 10n), value('cycles', 5n, 10n, 0n),
    ], [{ event: 'r1a3', index: 3, error: new Error('no such event') }]);
    assert.deepEqual(rows.map(counterValueText), ['1.23', '2.00', '1234567', '<not supported>', '<not counted>']);
  });

  it('derives CPUs utilized from elapsed time and rates per task-clock second, as perf', () => {
    const rows = rowsOf(['task-clock', 'page-faults', 'context-switches'], [
      value('task-clock', 2_000_000n, 10n, 10n), value('page-faults', 150n, 10n, 10n), value('context-switches', 1n, 10n, 10n),
    ], []);
    const elapsed = 4_000_000;
    assert.deepEqual(metricFor(rows[0]!, rows, elapsed), { value: 2_000_000 / elapsed, unit: 'CPUs utilized' });
    assert.deepEqual(metricFor(rows[1]!, rows, elapsed), { value: (150 / 0.002) / 1e3, unit: 'K/sec' });
    assert.deepEqual(metricFor(rows[2]!, rows, elapsed), { value: 1 / 0.002, unit: '/sec' });
    assert.equal(metricText(metricFor(rows[1]!, rows, elapsed)), '#   75.000 K/sec');
  });

  it('never derives a metric from a stand-in', () => {
    const rows = rowsOf(['cycles', 'instructions'], [
      value('cpu-clock', 1_000_000n, 10n, 10n, { unit: 'ns', substitutedFrom: 'cycles' }), value('task-clock', 1_000_000n, 10n, 10n, { unit: 'ns', substitutedFrom: 'instructions' }),
    ], []);
    assert.equal(metricFor(rows[0]!, rows, 1e6), undefined);
    assert.equal(metricFor(rows[1]!, rows, 1e6), undefined);
  });

  it('over -r runs: the mean, the stddev of the mean, and the ( +- x% ) column only where runs varied', () => {
    const xs = [10, 12, 14];
    assert.equal(mean(xs), 12);
    assert.equal(stddevOfMean(xs), Math.sqrt(4 / 3));
    assert.equal(noiseText(xs), `( +- ${((100 * Math.sqrt(4 / 3)) / 12).toFixed(2).padStart(5)}% )`);
    assert.equal(noiseText([5, 5]), '');
    const runs = [10, 12, 14].map((n) => rowsOf(['page-faults'], [value('page-faults', BigInt(n), 10n, 10n)], []));
    const merged = mergeRuns(runs);
    assert.equal(merged[0]!.count, 12);
    assert.deepEqual(merged[0]!.runs, [10, 12, 14]);
    const footer = footerLines([0.0520e9, 0.0522e9, 0.0518e9], undefined)[0]!;
    assert.match(footer, /^\s+0\.0520\d* \+- 0\.000\d+ seconds time elapsed {2}\( \+- {2}0\.\d\d% \)$/);
  });

  it('sums per-thread readings', () => {
    const s = sumValues([[value('task-clock', 5n, 10n, 10n)], [value('task-clock', 7n, 20n, 20n)]]);
    assert.equal(s[0]!.value, 12n);
    assert.equal(s[0]!.timeEnabled, 30n);
  });

  it('says "no PMU here" only without a core PMU, else which PMU lacks the event', () => {
    const env = vmMap().environment;
    assert.equal(missingText('cycles', env), 'no PMU here');
    const withCore = { pmus: [...env.pmus, { name: 'armv8_pmuv3_0', type: 8, formats: {}, caps: {}, events: [], core: true }] };
    assert.equal(missingText('cycles', withCore), 'this PMU (armv8_pmuv3_0) has no cycles event');
  });

  it('lays out a report: the whole command in the header, stand-ins with what is missing, user and sys, within the width', () => {
    const long = ['sh', '-c', `echo ${'x'.repeat(120)}`];
    const rows = rowsOf(['task-clock', 'cycles', 'instructions', 'L1-dcache-load-misses'], [
      value('task-clock', 2_000_000n, 100n, 100n),
      value('cpu-clock', 1_900_000n, 100n, 100n, { unit: 'ns', substitutedFrom: 'cycles' }),
      value('instructions', 1000n, 300n, 100n),
    ], [{ event: 'L1-dcache-load-misses', index: 3, error: new Error('no PMU here counts it') }]);
    const report = { target: `'${long.join(' ')}'`, rows, elapsedNs: [1_500_000_000], cpu: { user: 0.01, sys: 0 }, splits: [], adaptations: [], environment: vmMap().environment };
    const text = formatStat(report, { palette: plain, width: 80 }).join('\n');
    assert.ok(text.includes(`Performance counter stats for '${long.join(' ')}':`), 'the header is not cut');
    assert.match(text, /^\s+2\.00 msec task-clock\s+#\s+0\.001 CPUs utilized$/m);
    assert.match(text, /^\s+1\.90 msec cpu-clock\s+stand-in for cycles \(no PMU here\)$/m);
    assert.match(text, /^\s+3000\s+instructions .*\(33\.33%\)$/m);
    assert.match(text, /^\s+<not supported>\s+L1-dcache-load-misses$/m);
    assert.match(text, /^\s+1\.500000000 seconds time elapsed\n\n\s+0\.010000000 seconds user\n\s+0\.000000000 seconds sys$/m);
    for (const l of formatStat(report, { palette: palette(true), width: 80 })) if (!l.includes('Performance counter stats')) assert.ok(visibleLength(l) <= 80, l);
  });

  it('writes CSV and JSON lines with perf stat -x / -j fields', () => {
    const rows = rowsOf(['task-clock', 'page-faults', 'cycles'], [value('task-clock', 1_000_000n, 1_000_000n, 1_000_000n), value('page-faults', 74n, 1_000_000n, 1_000_000n)], [{ event: 'cycles', index: 2, error: new Error('x') }]);
    assert.deepEqual(csvLines(rows, 2_000_000, ','), ['1.00,msec,task-clock,1000000,100.00,0.500,CPUs utilized', '74,,page-faults,1000000,100.00,74.000,K/sec', '<not supported>,,cycles,0,0.00,,']);
    const j = jsonObjects(rows, 2_000_000);
    assert.deepEqual(j[0], { 'counter-value': '1.000000', unit: 'msec', event: 'task-clock', 'event-runtime': 1_000_000, 'pcnt-running': 100, 'metric-value': 0.5, 'metric-unit': 'CPUs utilized' });
    assert.equal(j[2]!['counter-value'], '<not supported>');
  });

  it('splits -e lists at commas, except inside PMU terms, and drops group braces', () => {
    assert.deepEqual(statEventNames('task-clock,page-faults'), ['task-clock', 'page-faults']);
    assert.deepEqual(statEventNames('{cycles,instructions},cpu/event=0x3c,umask=0/u'), ['cycles', 'instructions', 'cpu/event=0x3c,umask=0/u']);
    assert.deepEqual(statEventNames('mem:0x10/8:w,cycles'), ['mem:0x10/8:w', 'cycles']);
    assert.throws(() => statEventNames(' , '), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_EVENT_NAME' && /empty event name/.test(e.message));
  });

  it('refuses a group modifier it could not apply, naming the group and the per-event spelling', () => {
    assert.throws(() => statEventNames('{cycles,instructions}:u'), (e: unknown) => e instanceof UsageError
      && /\{cycles,instructions\}:u/.test(e.message) && /\{cycles:u,instructions:u\}/.test(e.message));
  });
});

export type { StatRow };

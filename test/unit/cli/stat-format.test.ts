import assert from 'node:assert/strict';
import { palette } from '../../../src/cli/color';
import { statEventNames } from '../../../src/cli/commands/stat';
import { UsageError } from '../../../src/cli/command';
import { PerfcompatError } from '../../../src/errors';
import { countText, formatStat, scaleText } from '../../../src/cli/stat-format';
import { visibleLength } from '../../../src/cli/text';
import type { CommandCounts } from '../../../src/shim/for-command';

type Value = CommandCounts['values'][number];

function value(name: string, v: bigint, enabled: bigint, running: bigint, extra: Partial<Value> = {}): Value {
  const counted = running > 0n || enabled === 0n;
  const multiplexed = running > 0n && running < enabled;
  const scaled = !counted ? 0n : multiplexed ? (v * enabled) / running : v;
  return { name, group: 0, value: v, timeEnabled: enabled, timeRunning: running, scaled, multiplexed, counted, ...extra };
}

function counts(values: Value[], extra: Partial<CommandCounts> = {}): CommandCounts {
  return { argv: ['sh', '-c', 'echo hi'], exitCode: 0, signal: null, values, readPath: 'group', groups: [], splits: [], adaptations: [], ...extra };
}

describe('cli stat format', () => {
  it('prints time events in msec and counts with separators', () => {
    assert.equal(countText(value('task-clock', 1_234_567n, 10n, 10n)), '1.23 msec');
    assert.equal(countText(value('page-faults', 1_234_567n, 10n, 10n)), '1,234,567');
    assert.equal(countText(value('cycles', 1_000_000n, 10n, 10n, { unit: 'ns', substitutedFrom: 'cycles' })), '1.00 msec');
    assert.equal(countText(value('cycles', 5n, 10n, 0n)), '<not counted>');
  });

  it('shows the multiplex scale factor and the share of time on the PMU', () => {
    const v = value('instructions', 1000n, 300n, 100n);
    assert.equal(v.scaled, 3000n);
    assert.equal(scaleText(v), 'scaled ×3.00 (on the PMU 33.3%)');
    assert.equal(scaleText(value('instructions', 1000n, 300n, 300n)), '');
  });

  it('lays out a perf-stat-like report with stand-ins, splits and adaptations, within the width', () => {
    const c = counts([
      value('task-clock', 2_000_000n, 100n, 100n),
      value('cpu-clock', 1_900_000n, 100n, 100n, { unit: 'ns', substitutedFrom: 'cycles' }),
      value('instructions', 1000n, 300n, 100n),
      value('branch-misses', 0n, 300n, 0n),
    ], {
      splits: ['branch-misses starts group 1: the map says at most 2 events of cpu run together (combo.group_schedulability)'],
      adaptations: [{ event: 'cpu-clock', what: 'counts software/cpu_clock instead of hardware/cpu_cycles', why: 'no hardware PMU here; nanoseconds on CPU instead of cycles', featureId: 'event.hardware.cpu_cycles', errnoName: 'ENOENT' }],
    });
    const lines = formatStat(c, { elapsedNs: 1_500_000_000n, palette: palette(false), width: 80 });
    const text = lines.join('\n');
    assert.match(text, /Performance counter stats for 'sh -c "echo hi"':/);
    assert.match(text, /^\s+2\.00 msec\s+task-clock$/m);
    assert.match(text, /^\s+1\.90 msec\s+cpu-clock\s+stand-in for cycles$/m);
    assert.match(text, /^\s+3,000\s+instructions\s+scaled ×3\.00 \(on the PMU 33\.3%\)$/m);
    assert.match(text, /^\s+<not counted>\s+branch-misses$/m);
    assert.match(text, /1\.500000 seconds time elapsed/);
    assert.match(text, /Groups:\n\s+branch-misses starts group 1/);
    assert.match(text, /Adaptations[^\n]*\n\s+cpu-clock: counts software\/cpu_clock instead of hardware\/cpu_cycles/);
    assert.match(text, /\[event\.hardware\.cpu_cycles ENOENT\]/);
    for (const l of formatStat(c, { elapsedNs: 1n, palette: palette(true), width: 80 })) assert.ok(visibleLength(l) <= 80, l);
  });

  it('splits -e lists at commas, except inside PMU terms, and drops group braces', () => {
    assert.deepEqual(statEventNames('task-clock,page-faults'), ['task-clock', 'page-faults']);
    assert.deepEqual(statEventNames('{cycles,instructions},cpu/event=0x3c,umask=0/u'), ['cycles', 'instructions', 'cpu/event=0x3c,umask=0/u']);
    // A breakpoint's address/length slash is not a PMU term list.
    assert.deepEqual(statEventNames('mem:0x10/8:w,cycles'), ['mem:0x10/8:w', 'cycles']);
    assert.throws(() => statEventNames(' , '), (e: unknown) => e instanceof PerfcompatError && e.code === 'ERR_EVENT_NAME' && /empty event name/.test(e.message));
  });

  it('refuses a group modifier it could not apply, naming the group and the per-event spelling', () => {
    assert.throws(() => statEventNames('{cycles,instructions}:u'), (e: unknown) => e instanceof UsageError
      && /\{cycles,instructions\}:u/.test(e.message) && /\{cycles:u,instructions:u\}/.test(e.message));
  });
});

import assert from 'node:assert/strict';
import { palette, stripAnsi } from '../../../src/cli/color';
import { formatReport, type ReportOptions } from '../../../src/cli/report-format';
import { visibleLength } from '../../../src/cli/text';
import { clone, entry, vmMap } from './fixtures';

function opts(extra: Partial<ReportOptions> = {}): ReportOptions {
  return { all: false, width: 80, palette: palette(false), version: '9.9.9', ...extra };
}

describe('cli report format', () => {
  it('has a header with release, arch, paranoid, uid, capabilities, seccomp and PMUs', () => {
    const text = formatReport(vmMap(), opts()).join('\n');
    assert.match(text, /kernel\s+6\.18\.0-test\s+x86_64/);
    assert.match(text, /uid 1000/);
    assert.match(text, /paranoid 2/);
    assert.match(text, /no perf capabilities/);
    assert.match(text, /seccomp off/);
    assert.match(text, /software\(1\)\s+tracepoint\(2\)\s+breakpoint\(5\)/);
  });

  it('shows refused features with errno and reason by default and hides plain supported ones', () => {
    const lines = formatReport(vmMap(), opts());
    const text = lines.join('\n');
    assert.match(text, /defer_callchain\s+unsupported\s+EINVAL\s+the kernel rejects/);
    assert.match(text, /kernel\s+denied\s+EACCES\s+perf_event_paranoid 2/);
    assert.match(text, /size\s+supported\s+value 136/, 'measured values matter');
    assert.ok(!/^\s+lost\s+supported/m.test(text), 'plain supported read_format.lost is hidden by default');
    assert.match(text, /supported features not shown; --all/);
  });

  it('lists every feature with --all', () => {
    const map = vmMap();
    const text = formatReport(map, opts({ all: true })).join('\n');
    assert.match(text, /^\s+lost\s+supported/m);
    assert.match(text, /^\s+cpu_cycles\s+no-hardware\s+ENOENT/m);
    assert.ok(!/not shown/.test(text));
  });

  it('collapses a long run of the same status and errno into one line by default', () => {
    const text = formatReport(vmMap(), opts()).join('\n');
    assert.match(text, /7 × no-hardware ENOENT: cpu_cycles instructions/);
    assert.ok(!/^\s+bus_cycles\s+no-hardware/m.test(text));
  });

  it('ends with counts per status and the probe time, saying whether it came from the cache', () => {
    const fresh = formatReport(vmMap(), opts({ width: 120 })).join('\n');
    assert.match(fresh, /12 supported · 1 unsupported · 1 denied · 7 no-hardware · 1 untestable · probed in 123 ms, not from cache/);
    const cached = clone(vmMap());
    cached.source = 'cache';
    assert.match(formatReport(cached, opts()).join('\n'), /from cache \(probed 2026-11-27 03:00:00 UTC in 123 ms\)/);
  });

  it('keeps every line within the width even with long names and reasons', () => {
    const map = vmMap();
    map.features['combo.sigtrap_without_remove_on_exec_and_a_very_long_suffix'] = entry('unsupported', { errno: 22, errnoName: 'EINVAL', reason: 'x'.repeat(200) });
    map.environment.pmus = Array.from({ length: 40 }, (_, i) => ({ name: `uncore_imc_${i}`, type: 20 + i, formats: {}, caps: {}, events: [] }));
    for (const width of [80, 60]) {
      for (const all of [false, true]) {
        for (const line of formatReport(map, opts({ width, all, palette: palette(true) }))) {
          assert.ok(visibleLength(line) <= width, `${visibleLength(line)} > ${width}: ${stripAnsi(line)}`);
        }
      }
    }
  });

  it('writes no escape codes without colour and colours statuses with it', () => {
    assert.ok(!formatReport(vmMap(), opts()).join('\n').includes('\u001b['));
    const coloured = formatReport(vmMap(), opts({ palette: palette(true) })).join('\n');
    assert.ok(coloured.includes('\u001b[31munsupported\u001b[39m'));
  });

  it('shows only the given ids and says how many of all are shown', () => {
    const map = vmMap();
    const ids = ['read_format.group', 'read_format.lost'];
    const text = formatReport(map, opts({ ids, all: true })).join('\n');
    assert.match(text, /read_format\.\*/);
    assert.ok(!/attr\.\*/.test(text));
    assert.match(text, /2 of 22 features shown/);
  });
});

describe('cli report short reasons', () => {
  it('shows what is needed for missing hardware and what happened for refusals', async () => {
    const { shortReason } = await import('../../../src/cli/report-format');
    const r = 'known but not permitted (EACCES); branch sampling needs a PMU with branch stacks';
    assert.equal(shortReason(r, 'denied'), 'known but not permitted (EACCES)');
    assert.equal(shortReason(r, 'no-hardware'), 'branch sampling needs a PMU with branch stacks');
    assert.equal(shortReason('one clause only', 'unsupported'), 'one clause only');
  });
});

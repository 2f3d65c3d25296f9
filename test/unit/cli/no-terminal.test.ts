/**
 * Output to a pipe or file (`probe > file`, CliIO.cut false) loses nothing:
 * reasons too long for their line wrap within the width instead of ending in
 * "…", and collapsed runs list every name. On a terminal (the default) the
 * one-line cuts stay.
 */
import assert from 'node:assert/strict';
import { palette } from '../../../src/cli/color';
import { diffMaps } from '../../../src/model/map-diff';
import { formatDiff } from '../../../src/cli/diff-format';
import { formatReport, shortReason, type ReportOptions } from '../../../src/cli/report-format';
import { fitLines, visibleLength } from '../../../src/cli/text';
import { clone, entry, vmMap } from './fixtures';

function opts(extra: Partial<ReportOptions> = {}): ReportOptions {
  return { all: false, width: 80, palette: palette(false), version: '9.9.9', ...extra };
}

/** The fixture's own reasons strung together: longer than any report line. */
function longReason(): string {
  const reasons = Object.values(vmMap().features).map((e) => e.reason).filter((r): r is string => r !== undefined);
  return reasons.join(' and ').replace(/; /g, ', ');
}

/** Lines as one text: line breaks and indentation become single spaces. */
function flat(lines: string[]): string {
  return lines.map((l) => l.trim()).join(' ');
}

describe('cli output with no terminal: nothing cut', () => {
  it('fitLines cuts on a terminal and wraps every word otherwise', () => {
    const text = longReason();
    assert.ok(visibleLength(text) > 200);
    const cut = fitLines(text, 76, true);
    assert.equal(cut.length, 1);
    assert.ok((cut[0] as string).endsWith('…'));
    const wrapped = fitLines(text, 76, false);
    assert.ok(wrapped.length > 2);
    for (const l of wrapped) assert.ok(visibleLength(l) <= 76, l);
    assert.equal(wrapped.join(' '), text.split(/\s+/).join(' '));
    const word = 'x'.repeat(100);
    assert.deepEqual(fitLines(word, 76, false), [word], 'a word longer than the line is kept whole');
  });

  it('the report wraps a long reason instead of cutting it', () => {
    const map = clone(vmMap());
    const id = 'attr.defer_callchain';
    const e = map.features[id];
    assert.ok(e !== undefined && e.status !== 'supported');
    e.reason = longReason();
    const why = shortReason(e.reason, e.status);
    const onTerminal = formatReport(map, opts());
    assert.ok(onTerminal.some((l) => l.endsWith('…')), 'a terminal gets the cut line');
    assert.ok(!flat(onTerminal).includes(why));
    const toFile = formatReport(map, opts({ cut: false }));
    assert.ok(!toFile.some((l) => l.includes('…')), toFile.filter((l) => l.includes('…')).join('\n'));
    assert.ok(flat(toFile).includes(why), 'the whole reason is in the file');
    for (const l of toFile) assert.ok(visibleLength(l) <= 80, l);
  });

  it('a collapsed run lists every name in a file, two lines and "…" on a terminal', () => {
    const map = clone(vmMap());
    const names: string[] = [];
    for (let i = 0; i < 40; i++) {
      const name = `event.hardware.stand_in_${i}`;
      map.features[name] = entry('no-hardware', { errno: 2, errnoName: 'ENOENT', reason: 'no hardware PMU' });
      names.push(name.replace(/^event\.hardware\./, ''));
    }
    const onTerminal = formatReport(map, opts());
    assert.ok(onTerminal.some((l) => l.endsWith('…')));
    const toFile = flat(formatReport(map, opts({ cut: false })));
    for (const n of names) assert.ok(toFile.split(' ').includes(n), `${n} missing from the file`);
  });

  it('probe diff in a file keeps a reason that does not fit beside the transition', () => {
    const a = vmMap();
    const b = clone(a);
    const reason = longReason();
    b.features['attr.sigtrap'] = entry('unsupported', { errno: 22, errnoName: 'EINVAL', reason });
    const d = diffMaps(a, b);
    assert.ok(d.lost.some((c) => c.id === 'attr.sigtrap'));
    const why = shortReason(reason, 'unsupported');
    const onTerminal = formatDiff(d, palette(false), 80);
    assert.ok(!flat(onTerminal).includes(why));
    const toFile = formatDiff(d, palette(false), 80, false);
    assert.ok(flat(toFile).includes(why));
    assert.ok(!toFile.some((l) => l.includes('…')));
    for (const l of toFile) assert.ok(visibleLength(l) <= 80, l);
  });
});

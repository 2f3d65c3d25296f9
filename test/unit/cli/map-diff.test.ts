import assert from 'node:assert/strict';
import { diffMaps, diffIsEmpty } from '../../../src/model/map-diff';
import { diffToJson, formatDiff } from '../../../src/cli/diff-format';
import { palette, stripAnsi } from '../../../src/cli/color';
import { visibleLength } from '../../../src/cli/text';
import { clone, entry, vmMap } from './fixtures';

describe('cli map diff', () => {
  it('finds nothing between a map and its copy', () => {
    const d = diffMaps(vmMap(), vmMap());
    assert.ok(diffIsEmpty(d));
    assert.equal(d.hasLoss, false);
    assert.match(formatDiff(d, palette(false), 80).join('\n'), /no differences/);
  });

  it('reports a dropped supported feature as lost', () => {
    const b = clone(vmMap());
    delete b.features['read_format.lost'];
    const d = diffMaps(vmMap(), b);
    assert.deepEqual(d.lost.map((c) => c.id), ['read_format.lost']);
    assert.equal(d.hasLoss, true);
  });

  it('separates lost, now denied, gained, status, errno and value changes', () => {
    const a = vmMap();
    const b = clone(a);
    b.features['attr.sigtrap'] = entry('unsupported', { errno: 22, errnoName: 'EINVAL' });
    b.features['event.breakpoint'] = entry('denied', { errno: 13, errnoName: 'EACCES' });
    b.features['attr.defer_callchain'] = entry('supported');
    b.features['event.hardware.cpu_cycles'] = entry('denied', { errno: 1, errnoName: 'EPERM' });
    b.features['branch_sample_type.any'] = entry('no-hardware', { errno: 95, errnoName: 'EOPNOTSUPP' });
    b.features['access.kernel'] = entry('denied', { errno: 1, errnoName: 'EPERM' });
    b.features['attr.size'] = entry('supported', { value: 144 });
    const d = diffMaps(a, b);
    assert.deepEqual(d.lost.map((c) => c.id), ['attr.sigtrap']);
    assert.deepEqual(d.nowDenied.map((c) => c.id), ['event.breakpoint', 'event.hardware.cpu_cycles']);
    assert.deepEqual(d.gained.map((c) => c.id), ['attr.defer_callchain']);
    assert.deepEqual(d.statusChanged.map((c) => c.id), ['branch_sample_type.any']);
    assert.deepEqual(d.errnoChanged.map((c) => c.id), ['access.kernel']);
    assert.deepEqual(d.valueChanged.map((c) => c.id), ['attr.size']);
    assert.equal(d.hasLoss, true);
  });

  it('counts a feature denied in B but only refused in A as no loss', () => {
    const b = clone(vmMap());
    b.features['attr.defer_callchain'] = entry('denied', { errno: 1, errnoName: 'EPERM' });
    const d = diffMaps(vmMap(), b);
    assert.equal(d.nowDenied.length, 1);
    assert.equal(d.hasLoss, false);
  });

  it('ignores PMU type numbers, which differ between boots, and keeps lines within the width', () => {
    const a = vmMap();
    a.features['pmu.msr'] = entry('supported', { value: 10 });
    const b = clone(a);
    b.features['pmu.msr'] = entry('supported', { value: 8 });
    b.features['branch_sample_type.any'] = entry('no-hardware', { errno: 95, errnoName: 'EOPNOTSUPP' });
    a.features['branch_sample_type.any'] = entry('unsupported', { errno: 22, errnoName: 'EINVAL' });
    b.features['combo.sigtrap_without_remove_on_exec_long_name'] = entry('unsupported', { errno: 22, errnoName: 'EINVAL' });
    a.features['combo.sigtrap_without_remove_on_exec_long_name'] = entry('untestable');
    const d = diffMaps(a, b);
    assert.deepEqual(d.valueChanged, []);
    const lines = formatDiff(d, palette(true), 80);
    for (const l of lines) assert.ok(visibleLength(l) <= 80, l);
    assert.ok(lines.some((l) => /unsupported EINVAL → no-hardware EOPNOTSUPP/.test(stripAnsi(l))));
  });

  it('lists PMUs added and removed', () => {
    const b = clone(vmMap());
    b.environment.pmus = b.environment.pmus.filter((p) => p.name !== 'breakpoint');
    b.environment.pmus.push({ name: 'cpu', type: 4, formats: {}, caps: {}, events: [] });
    const d = diffMaps(vmMap(), b);
    assert.deepEqual(d.pmusAdded, ['cpu']);
    assert.deepEqual(d.pmusRemoved, ['breakpoint']);
    assert.equal(d.hasLoss, false);
    const text = formatDiff(d, palette(false), 80).join('\n');
    assert.match(text, /PMUs added: cpu/);
    assert.match(text, /PMUs removed: breakpoint/);
  });

  it('renders JSON with both sides of every change', () => {
    const b = clone(vmMap());
    b.features['read_format.lost'] = entry('unsupported', { errno: 22, errnoName: 'EINVAL' });
    const j = diffToJson(diffMaps(vmMap(), b)) as { hasLoss: boolean; lost: Array<{ id: string; a: { status: string }; b: { status: string; errnoName: string } }> };
    assert.equal(j.hasLoss, true);
    assert.deepEqual(j.lost, [{ id: 'read_format.lost', a: { status: 'supported' }, b: { status: 'unsupported', errno: 22, errnoName: 'EINVAL' } }]);
  });
});

describe('map diff and behaviour checks one side did not run', () => {
  it('a behaviour.* id only one map has is neither lost nor gained', () => {
    const a = clone(vmMap());
    a.features['behaviour.group_read'] = entry('supported');
    a.features['behaviour.ioctl_reset'] = entry('broken');
    for (const d of [diffMaps(a, vmMap()), diffMaps(vmMap(), a)]) {
      assert.ok(diffIsEmpty(d));
      assert.equal(d.hasLoss, false);
    }
    const b = clone(a);
    b.features['behaviour.group_read'] = entry('broken');
    assert.deepEqual(diffMaps(a, b).lost.map((c) => c.id), ['behaviour.group_read']);
  });
});

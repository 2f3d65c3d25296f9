import assert from 'node:assert/strict';
import { palette } from '../../../src/cli/color';
import { formatExplain } from '../../../src/cli/explain-text';
import { describeFeature } from '../../../src/cli/feature-text';
import { visibleLength } from '../../../src/cli/text';
import { catalogue } from '../../../probes';
import { BEHAVIOUR_CHECKS } from '../../../probes/behaviour';
import { fakeEnv } from '../probe/fixtures';
import { clone, entry, vmMap } from './fixtures';

describe('cli explain text', () => {
  it('describes ABI ids from the ABI tables and other ids from their pattern', () => {
    assert.match(describeFeature('read_format.lost') ?? '', /^PERF_FORMAT_LOST: /);
    assert.match(describeFeature('event.hardware.cpu_cycles') ?? '', /PERF_COUNT_HW_CPU_CYCLES/);
    assert.match(describeFeature('combo.clockid.tai') ?? '', /CLOCK_TAI/);
    assert.equal(describeFeature('nonsense.id'), undefined);
  });

  it('gives what, mainline, the answer here, what the probe set and needed, anomaly and shim path', () => {
    const text = formatExplain({ id: 'attr.sigtrap', map: vmMap(), palette: palette(false), width: 80, shimPath: 'opens with sigtrap as asked' }).join('\n');
    assert.match(text, /^attr\.sigtrap — perf_event_attr\.sigtrap: /);
    assert.match(text, /mainline\s+5\.13/);
    assert.match(text, /here\s+6\.18\.0-test: supported/);
    assert.match(text, /probe\s+base software\/cpu-clock; set sigtrap=1 remove_on_exec=1/);
    assert.match(text, /needs\s+attr\.remove_on_exec/);
    assert.match(text, /anomaly\s+none/);
    assert.match(text, /shim\s+opens with sigtrap as asked/);
  });

  it('shows the errno and reason of a refusal and a backport anomaly', () => {
    const map = clone(vmMap());
    map.kernel.release = '5.10.0-32-amd64';
    map.features['read_format.lost'] = entry('supported', { mainline: '6.0', anomaly: 'backported' });
    const refused = formatExplain({ id: 'attr.defer_callchain', map, palette: palette(false), width: 80 }).join('\n').replace(/\n {12}/g, ' ');
    assert.match(refused, /here\s+5\.10\.0-32-amd64: unsupported EINVAL \(errno 22\) — the kernel rejects the bit/);
    assert.match(refused, /shim\s+no feature-specific code path/);
    const back = formatExplain({ id: 'read_format.lost', map, palette: palette(false), width: 80 }).join('\n').replace(/\n {12}/g, ' ');
    assert.match(back, /anomaly\s+backported: works on 5\.10\.0-32-amd64 although mainline added it in 6\.0/);
  });

  it('prints, for every declared feature id, the description its declaration carries', () => {
    const env = fakeEnv({ pmus: [{ name: 'software', type: 1, formats: {}, caps: {}, events: [] }, { name: 'cpu', type: 4, formats: {}, caps: {}, events: [], core: true }] });
    const ids = [...catalogue(env).map((d) => d.id), ...BEHAVIOUR_CHECKS.map((c) => `behaviour.${c.name}`)];
    const map = vmMap();
    const missing = ids.filter((id) => {
      const what = describeFeature(id);
      if (what === undefined || what.trim() === '') return true;
      // Width 1000: the first line is the whole "id — description" heading.
      const [head] = formatExplain({ id, map, palette: palette(false), width: 1000 });
      return head !== `${id} — ${what}`;
    });
    assert.deepEqual(missing, []);
    for (const c of BEHAVIOUR_CHECKS) assert.ok(describeFeature(`behaviour.${c.name}`)?.includes(c.description), c.name);
  });

  it('fits 80 columns', () => {
    const map = clone(vmMap());
    map.features['attr.sigtrap'] = entry('unsupported', { errnoName: 'EINVAL', errno: 22, reason: 'word '.repeat(60) });
    for (const l of formatExplain({ id: 'attr.sigtrap', map, palette: palette(true), width: 80, shimPath: 'path '.repeat(40) })) {
      assert.ok(visibleLength(l) <= 80, l);
    }
  });
});

/**
 * The CLI's pure parts on maps the engine makes for every simulated kernel
 * persona: each map is valid against the shipped schema, its report and
 * explain pages fit 80 columns, and diff between an old and a new mainline
 * kernel finds the features added in between.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { palette } from '../../../src/cli/color';
import { formatDiff } from '../../../src/cli/diff-format';
import { formatExplain } from '../../../src/cli/explain-text';
import { diffMaps } from '../../../src/model/map-diff';
import { formatReport } from '../../../src/cli/report-format';
import { visibleLength } from '../../../src/cli/text';
import { PerfcompatError } from '../../../src/errors';
import { getCapabilities } from '../../../src/root';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { personaNames, simulate } from '../../sim';
import { ROOT } from './run-cli';

function mapOf(persona: string): CapabilityMap | PerfcompatError {
  const { kernel, environment, uname } = simulate(persona);
  try {
    return getCapabilities({ kernel, environment, uname, cache: false });
  } catch (err) {
    if (err instanceof PerfcompatError && err.code === 'ERR_PERF_UNAVAILABLE') return err;
    throw err;
  }
}

describe('cli on simulated kernels', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'capabilities.schema.json'), 'utf8')) as object;
  const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, validateFormats: false }).compile(schema);
  const maps = new Map<string, CapabilityMap>();

  for (const name of personaNames()) {
    it(`${name}: map valid against the schema, report and explain within 80 columns`, () => {
      const m = mapOf(name);
      if (m instanceof PerfcompatError) {
        assert.match(m.message, /perf_event_open is not usable here/);
        return;
      }
      maps.set(name, m);
      assert.ok(validate(m), JSON.stringify(validate.errors?.slice(0, 3)));
      for (const all of [false, true]) {
        for (const line of formatReport(m, { all, width: 80, palette: palette(true), version: 'test' })) {
          assert.ok(visibleLength(line) <= 80, `${name}: ${line}`);
        }
      }
      for (const id of Object.keys(m.features)) {
        for (const line of formatExplain({ id, map: m, palette: palette(false), width: 80, shimPath: 'x' })) {
          assert.ok(visibleLength(line) <= 80, `${name} ${id}: ${line}`);
        }
      }
    });
  }

  it('diff from mainline 5.10 to 6.1 gains the 5.13 additions and loses nothing; the reverse is a loss', function () {
    const old = maps.get('mainline-5.10') ?? mapOf('mainline-5.10');
    const young = maps.get('mainline-6.1') ?? mapOf('mainline-6.1');
    if (old instanceof PerfcompatError || young instanceof PerfcompatError) return this.skip();
    const forward = diffMaps(old, young);
    assert.equal(forward.hasLoss, false, JSON.stringify(forward.lost.map((c) => c.id)));
    assert.ok(forward.gained.some((c) => c.id === 'attr.sigtrap'));
    assert.ok(forward.valueChanged.some((c) => c.id === 'attr.size'));
    const text = formatDiff(forward, palette(false), 80);
    for (const line of text) assert.ok(visibleLength(line) <= 80, line);
    const back = diffMaps(young, old);
    assert.equal(back.hasLoss, true);
    assert.ok(back.lost.some((c) => c.id === 'attr.sigtrap'));
  });
});

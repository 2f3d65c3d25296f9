import assert from 'node:assert/strict';
import { parseFormatSpec, placeFormatValue, formatMax, formatSpecText, FormatSpec } from '../../../src/events/pmu-format';

function spec(text: string): FormatSpec {
  const s = parseFormatSpec(text);
  assert.ok(typeof s !== 'string', `${text}: ${String(s)}`);
  return s;
}

describe('events: sysfs format specs', () => {
  it('parses a range, a single bit, split ranges and config1..config4', () => {
    assert.deepEqual(spec('config:0-7'), { field: 'config', bits: [0, 1, 2, 3, 4, 5, 6, 7] });
    assert.deepEqual(spec('config:21'), { field: 'config', bits: [21] });
    assert.deepEqual(spec('config:0-1,32-33'), { field: 'config', bits: [0, 1, 32, 33] });
    assert.deepEqual(spec('config1:0-15').bits.length, 16);
    assert.equal(spec('config2:3').field, 'config2');
    assert.equal(spec('config3:0-63').bits.length, 64);
    assert.equal(spec('config4:1').field, 'config4');
    assert.equal(spec('config:0-7\n').field, 'config');
  });

  it('refuses malformed specs with a reason', () => {
    for (const bad of ['', 'config', 'config:', 'config:a-b', 'cfg:0-7', 'config5:0', 'config:7-0', 'config:0-64', 'config:0-7,', 'config:0-7:8']) {
      const r = parseFormatSpec(bad);
      assert.equal(typeof r, 'string', `${JSON.stringify(bad)} should be refused`);
    }
  });

  it('writes a spec back as text', () => {
    assert.equal(formatSpecText(spec('config:0-7,32-35')), 'config:0-7,32-35');
    assert.equal(formatSpecText(spec('config:21')), 'config:21');
  });

  it('places value bits into a split range, lowest first', () => {
    const s = spec('config:0-7,32-35');
    assert.equal(formatMax(s), 0xfffn);
    assert.equal(placeFormatValue(0n, s, 0xabcn), 0xan << 32n | 0xbcn);
    assert.equal(placeFormatValue(0n, s, 0x100n), 1n << 32n);
  });

  it('places a single bit and a high range, and clears only its own bits', () => {
    assert.equal(placeFormatValue(0n, spec('config:63'), 1n), 1n << 63n);
    assert.equal(placeFormatValue(0xffn, spec('config:4-7'), 0x0n), 0x0fn);
    assert.equal(placeFormatValue(0x1n, spec('config:8-15'), 0x3cn), 0x3c01n);
  });
});

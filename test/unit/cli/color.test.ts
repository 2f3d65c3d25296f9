import assert from 'node:assert/strict';
import { useColor } from '../../../src/cli/color';

describe('cli colour decision', () => {
  const base = { isTTY: true, env: {}, noColorFlag: false, colorFlag: false };
  it('is on for a TTY and off otherwise', () => {
    assert.equal(useColor(base), true);
    assert.equal(useColor({ ...base, isTTY: false }), false);
  });
  it('honours NO_COLOR (any non-empty value) and --no-color over --color', () => {
    assert.equal(useColor({ ...base, env: { NO_COLOR: '1' } }), false);
    assert.equal(useColor({ ...base, env: { NO_COLOR: '' } }), true);
    assert.equal(useColor({ ...base, noColorFlag: true, colorFlag: true }), false);
    assert.equal(useColor({ ...base, isTTY: false, colorFlag: true }), true);
    assert.equal(useColor({ ...base, isTTY: false, colorFlag: true, env: { NO_COLOR: 'x' } }), false);
  });
});

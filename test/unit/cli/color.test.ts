import assert from 'node:assert/strict';
import tty from 'node:tty';
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

describe('cli colour decision with the stream\'s own hasColors (FORCE_COLOR, TERM=dumb)', () => {
  // Node's own tty.WriteStream#hasColors, on an object that is not a real terminal.
  const hasColors = tty.WriteStream.prototype.hasColors as (this: unknown, env: object) => boolean;
  const nodeHasColors = (env: object): boolean => hasColors.call({ getColorDepth: tty.WriteStream.prototype.getColorDepth }, env);
  const terminal = (env: NodeJS.ProcessEnv, flags: Partial<{ noColorFlag: boolean; colorFlag: boolean }> = {}): boolean =>
    useColor({ isTTY: true, hasColors: nodeHasColors, env, noColorFlag: false, colorFlag: false, ...flags });
  const pipe = (env: NodeJS.ProcessEnv, flags: Partial<{ noColorFlag: boolean; colorFlag: boolean }> = {}): boolean =>
    useColor({ isTTY: false, env, noColorFlag: false, colorFlag: false, ...flags });

  it('a terminal follows hasColors: colour for xterm, none for TERM=dumb or FORCE_COLOR=0', () => {
    assert.equal(terminal({ TERM: 'xterm-256color' }), nodeHasColors({ TERM: 'xterm-256color' }));
    assert.equal(terminal({ TERM: 'xterm-256color' }), true);
    assert.equal(terminal({ TERM: 'dumb' }), false);
    assert.equal(terminal({ TERM: 'xterm-256color', FORCE_COLOR: '0' }), false);
    assert.equal(terminal({ TERM: 'xterm-256color', FORCE_COLOR: 'false' }), false);
    assert.equal(terminal({ TERM: 'xterm-256color', NODE_DISABLE_COLORS: '1' }), false);
    assert.equal(terminal({ TERM: 'dumb', FORCE_COLOR: '1' }), true);
  });

  it('a pipe or file gets colour from FORCE_COLOR (1, 2, 3, true or empty) and from nothing else', () => {
    for (const v of ['1', '2', '3', 'true', '']) assert.equal(pipe({ FORCE_COLOR: v }), true, `FORCE_COLOR=${v}`);
    for (const v of ['0', 'false', 'yes']) assert.equal(pipe({ FORCE_COLOR: v }), false, `FORCE_COLOR=${v}`);
    assert.equal(pipe({ TERM: 'xterm-256color' }), false);
  });

  it('NO_COLOR (non-empty) and --no-color win over FORCE_COLOR; an empty NO_COLOR is unset; --color wins over FORCE_COLOR=0', () => {
    assert.equal(terminal({ TERM: 'xterm', FORCE_COLOR: '1', NO_COLOR: '1' }), false);
    assert.equal(pipe({ FORCE_COLOR: '1', NO_COLOR: '1' }), false);
    assert.equal(pipe({ FORCE_COLOR: '1' }, { noColorFlag: true }), false);
    assert.equal(terminal({ TERM: 'xterm', NO_COLOR: '' }), true);
    assert.equal(terminal({ TERM: 'xterm', FORCE_COLOR: '0' }, { colorFlag: true }), true);
    assert.equal(pipe({ FORCE_COLOR: '0' }, { colorFlag: true }), true);
  });

  it('does not change the env it is given', () => {
    const env = { TERM: 'xterm', NO_COLOR: '' };
    terminal(env);
    assert.deepEqual(env, { TERM: 'xterm', NO_COLOR: '' });
  });
});

/**
 * `probe` on a pseudo-terminal (util-linux `script -qc`) and into a pipe, with
 * this machine's own capability map: colour follows the terminal's
 * hasColors() (FORCE_COLOR, TERM=dumb) and FORCE_COLOR in a pipe; a pipe gets
 * every reason whole where the terminal cuts it with "…". Skipped where
 * `script` is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripAnsi } from '../../../src/cli/color';
import { ANSI, BIN, maxWidth, runCli } from '../../unit/cli/run-cli';
import { ownCache } from '../../helpers/own-cache';

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Run the CLI with stdout on a pseudo-terminal; its output with \r\n made \n. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string } {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  // spawnSync leaves out variables whose value is undefined. Node's
  // hasColors() also reads CI (a CI runner's terminal gets 2 colours) and
  // NODE_DISABLE_COLORS: this is the plain desktop terminal, so they go too.
  const full: NodeJS.ProcessEnv = {
    ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, NODE_DISABLE_COLORS: undefined,
    CI: undefined, TEAMCITY_VERSION: undefined, TERM: 'xterm-256color', ...env,
  };
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { env: full, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 50_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.replace(/\r\n/g, '\n') };
}

function flat(text: string): string {
  return text.split('\n').map((l) => l.trim()).join(' ');
}

describe('probe on a terminal and into a pipe', function () {
  ownCache();
  let dir: string;
  let dump: string;
  before(function () {
    if (spawnSync('script', ['--version'], { encoding: 'utf8' }).status !== 0) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'perfcompat-tty-'));
    const r = runCli(['--json']);
    assert.equal(r.status, 0, r.stderr);
    dump = join(dir, 'here.json');
    writeFileSync(dump, r.stdout);
  });
  after(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }); });

  it('a terminal gets colour, but not with FORCE_COLOR=0 or TERM=dumb', () => {
    const plain = onTerminal(['--from', dump], {});
    assert.equal(plain.status, 0, plain.stdout);
    assert.ok(ANSI.test(plain.stdout), 'no colour on an xterm-256color terminal');
    assert.ok(!ANSI.test(onTerminal(['--from', dump], { FORCE_COLOR: '0' }).stdout), 'FORCE_COLOR=0 coloured');
    assert.ok(!ANSI.test(onTerminal(['--from', dump], { TERM: 'dumb' }).stdout), 'TERM=dumb coloured');
    assert.ok(!ANSI.test(onTerminal(['--from', dump], { NO_COLOR: '1' }).stdout), 'NO_COLOR coloured');
  });

  it('a pipe gets colour only with FORCE_COLOR', () => {
    assert.ok(!ANSI.test(runCli(['--from', dump], { env: { NO_COLOR: undefined, FORCE_COLOR: undefined } }).stdout));
    assert.ok(ANSI.test(runCli(['--from', dump], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }).stdout), 'FORCE_COLOR=1 into a pipe did not colour');
  });

  it('a pipe gets the whole of every line the terminal cuts, within 80 columns', () => {
    for (const args of [['--from', dump], ['--from', dump, '--all']]) {
      const tty = stripAnsi(onTerminal([...args, '--no-color'], {}).stdout);
      const piped = runCli([...args, '--no-color']).stdout;
      assert.ok(!piped.includes('…'), piped.split('\n').filter((l) => l.includes('…')).join('\n'));
      assert.ok(maxWidth(piped) <= 80, `widest line ${maxWidth(piped)}`);
      const whole = flat(piped);
      for (const line of tty.split('\n').filter((l) => l.endsWith('…'))) {
        const kept = line.slice(0, -1).trim();
        assert.ok(whole.includes(kept), `'${kept}' is not in the piped output`);
      }
      assert.ok(whole.length >= flat(tty).length);
    }
  });
});

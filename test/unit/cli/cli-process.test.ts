/**
 * The built CLI as a user runs it, on hand-made dumps (no kernel needed):
 * output, exit codes, and one clear stderr line for every bad input.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ANSI, maxWidth, oneLine, ROOT, runCli } from './run-cli';
import { clone, entry, vmMap } from './fixtures';

describe('probe CLI (built, child process, hand-made dumps)', () => {
  let dir: string;
  let dumpA: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'perfcompat-cli-'));
    dumpA = file('a.json', JSON.stringify(vmMap(), null, 2));
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('--version prints the package.json version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = runCli([flag]);
      assert.equal(r.status, 0);
      assert.equal(r.stdout, `${pkg.version}\n`);
    }
  });

  it('--help works on every command and exits 0', () => {
    for (const cmd of [[], ['diff'], ['explain'], ['list'], ['stat'], ['test']]) {
      const r = runCli([...cmd, '--help']);
      assert.equal(r.status, 0, `${cmd.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: probe${cmd.length > 0 ? ` ${cmd[0]}` : ''}`));
      assert.equal(r.stderr, '');
      assert.ok(maxWidth(r.stdout) <= 80, `${cmd.join(' ')} --help is wider than 80 columns`);
    }
    assert.match(runCli(['--help']).stdout, /probe diff .*\n.*probe explain/);
  });

  it('reports a dump within 80 columns, without colour when not on a TTY', () => {
    const r = runCli(['--from', dumpA], { env: { NO_COLOR: undefined } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(maxWidth(r.stdout) <= 80, `widest line ${maxWidth(r.stdout)}`);
    assert.ok(!ANSI.test(r.stdout));
    assert.match(r.stdout, /kernel\s+6\.18\.0-test/);
    assert.match(r.stdout, /12 supported · 1 unsupported · 1 denied · 7 no-hardware · 1 untestable/);
    assert.ok(maxWidth(runCli(['--from', dumpA, '--all']).stdout) <= 80);
  });

  it('colours with --color, and NO_COLOR or --no-color win over it', () => {
    assert.ok(ANSI.test(runCli(['--from', dumpA, '--color'], { env: { NO_COLOR: undefined } }).stdout));
    assert.ok(!ANSI.test(runCli(['--from', dumpA, '--color'], { env: { NO_COLOR: '1' } }).stdout));
    assert.ok(!ANSI.test(runCli(['--from', dumpA, '--color', '--no-color'], { env: { NO_COLOR: undefined } }).stdout));
  });

  it('--json prints the map and nothing else; --only filters it', () => {
    const r = runCli(['--from', dumpA, '--json']);
    assert.equal(r.status, 0);
    assert.deepEqual(JSON.parse(r.stdout), vmMap());
    const only = JSON.parse(runCli(['--from', dumpA, '--json', '--only', 'read_format.*']).stdout) as { features: object };
    assert.deepEqual(Object.keys(only.features), ['read_format.group', 'read_format.lost']);
  });

  it('--only shows the kinds asked for and refuses a pattern that matches nothing', () => {
    const r = runCli(['--from', dumpA, '--only', 'event.hardware', '--all']);
    assert.match(r.stdout, /event\.hardware\.\*/);
    assert.ok(!/read_format\.\*/.test(r.stdout));
    const bad = runCli(['--from', dumpA, '--only', 'nosuchkind']);
    assert.equal(bad.status, 2);
    assert.match(oneLine(bad.stderr), /--only 'nosuchkind' matches no feature id; valid kinds here: attr, read_format/);
  });

  it('diff of a dump with itself finds nothing and exits 0', () => {
    const r = runCli(['diff', dumpA, dumpA]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /no differences/);
  });

  it('diff exits 1 when B lost a feature A supported, and names it', () => {
    const b = clone(vmMap());
    delete b.features['read_format.lost'];
    b.features['attr.sigtrap'] = entry('unsupported', { errno: 22, errnoName: 'EINVAL' });
    const dumpB = file('b.json', JSON.stringify(b));
    const r = runCli(['diff', dumpA, dumpB]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /lost \(2\)/);
    assert.match(r.stdout, /attr\.sigtrap\s+supported → unsupported EINVAL/);
    assert.match(r.stdout, /read_format\.lost\s+supported → absent/);
    const back = runCli(['diff', dumpB, dumpA]);
    assert.equal(back.status, 0, 'gaining features is not a loss');
    assert.match(back.stdout, /gained \(2\)/);
    const j = runCli(['diff', dumpA, dumpB, '--json']);
    assert.equal(j.status, 1);
    const parsed = JSON.parse(j.stdout) as { hasLoss: boolean; lost: Array<{ id: string }> };
    assert.equal(parsed.hasLoss, true);
    assert.deepEqual(parsed.lost.map((x) => x.id), ['attr.sigtrap', 'read_format.lost']);
  });

  it('bad dump files: one line naming the file and what is valid, exit 2, nothing on stdout', () => {
    const newer = clone(vmMap()) as unknown as Record<string, unknown>;
    newer.schema = 'perfcompat/capabilities@2';
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /missing\.json: no such file; expected a capability dump/],
      [file('notjson.json', 'hello'), /notjson\.json: not JSON .*expected a capability dump/],
      [file('notdump.json', '{"foo": 1}'), /notdump\.json: not a capability dump \(no "schema": "perfcompat\/capabilities@1"\)/],
      [file('newer.json', JSON.stringify(newer)), /newer\.json: a perfcompat\/capabilities@2 dump is newer than this perfcompat reads \(perfcompat\/capabilities@1\); upgrade perfcompat/],
    ];
    for (const [path, message] of cases) {
      for (const args of [['diff', path, dumpA], ['diff', dumpA, path], ['--from', path]]) {
        const r = runCli(args);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(oneLine(r.stderr), message);
        assert.equal(r.stdout, '');
      }
    }
  });

  it('explain prints one feature in full from a dump', () => {
    const r = runCli(['explain', 'attr.sigtrap', '--from', dumpA]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^attr\.sigtrap — perf_event_attr\.sigtrap: /);
    assert.match(r.stdout, /here\s+6\.18\.0-test: supported/);
    assert.match(r.stdout, /needs\s+attr\.remove_on_exec/);
    assert.match(r.stdout, /\n {2}shim\s+\S/);
    const j = JSON.parse(runCli(['explain', 'attr.sigtrap', '--from', dumpA, '--json']).stdout) as { id: string; entry: { status: string } };
    assert.equal(j.entry.status, 'supported');
  });

  it('explain of an unknown id suggests the near ones and exits 2', () => {
    const r = runCli(['explain', 'read_format.lots', '--from', dumpA]);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /unknown feature id 'read_format\.lots'; did you mean read_format\.lost/);
    assert.equal(r.stdout, '');
  });

  it('unknown options and commands and missing or extra arguments are usage errors (exit 2, one line)', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--bogus'], /^probe: unknown option '--bogus'; valid options: .*--json/],
      [['diff', '--frobnicate', dumpA], /^probe diff: unknown option '--frobnicate'; valid options: .*--json/],
      [['dif'], /^probe: unknown command 'dif' \(did you mean diff\?\); commands: diff, explain, list, stat/],
      [['diff'], /^probe diff: missing A\.json \[B\.json\]; usage: probe diff/],
      [['diff', dumpA, dumpA, dumpA], /^probe diff: unexpected argument '.*a\.json'/],
      [['explain'], /^probe explain: missing FEATURE-ID/],
      [['--only'], /^probe: option '--only' needs a value; valid options: /],
      [['stat', '-e'], /^probe stat: option '--events' needs a value; valid options: /],
      [['stat'], /^probe stat: missing CMD/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(oneLine(r.stderr), message);
    }
  });

  it('--help, --version and diff of two dumps do not load the kernel bindings (koffi)', () => {
    const script = `
      const { main } = require(${JSON.stringify(join(ROOT, 'dist', 'src', 'cli', 'main.js'))});
      const sink = { write() { return true; } };
      (async () => {
        for (const argv of [['--help'], ['--version'], ['diff', process.argv[1], process.argv[1]]]) {
          await main(argv, { stdout: sink, stderr: sink, env: {} });
        }
        process.stdout.write(String(Object.keys(require.cache).filter((k) => k.includes('koffi')).length));
      })();`;
    const r = spawnSync(process.execPath, ['-e', script, dumpA], { encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '0');
  });

  it('a command loads its own module only, and probe --json no report formatter', () => {
    const cli = join(ROOT, 'dist', 'src', 'cli');
    const script = `
      const { main } = require(${JSON.stringify(join(cli, 'main.js'))});
      const sink = { write() { return true; } };
      main(['--json', '--from', process.argv[1]], { stdout: sink, stderr: sink, env: {} }).then((code) => {
        const cli = ${JSON.stringify(cli + '/')};
        process.stdout.write(JSON.stringify({ code, loaded: Object.keys(require.cache).filter((k) => k.startsWith(cli)).map((k) => k.slice(cli.length)) }));
      });`;
    const r = spawnSync(process.execPath, ['-e', script, dumpA], { encoding: 'utf8' });
    assert.equal(r.stderr, '');
    const { code, loaded } = JSON.parse(r.stdout) as { code: number; loaded: string[] };
    assert.equal(code, 0);
    assert.ok(loaded.includes('commands/report.js'), loaded.join(' '));
    const others = ['diff', 'explain', 'list', 'stat', 'test'].map((c) => `commands/${c}.js`);
    const formatters = ['report-format.js', 'diff-format.js', 'explain-text.js', 'stat-format.js', 'feature-groups.js', 'did-you-mean.js'];
    assert.deepEqual(loaded.filter((f) => others.includes(f) || formatters.includes(f)), []);
  });

  it('global flags may come before the command word', () => {
    const r = runCli(['--no-color', 'diff', dumpA, dumpA]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /no differences/);
  });
});

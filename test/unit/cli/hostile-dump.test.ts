/**
 * A dump is a file anyone can hand you: the CLI prints its text with control
 * characters escaped (no ESC, OSC, CR or LF reaches the terminal raw), reads
 * it with size, feature-count and depth limits (exit 2 naming the file and the
 * limit, never an abort or "internal error"), treats ids such as
 * `constructor` and `__proto__` as the plain ids they are, exits 3 when every
 * entry is a fault, and caps what `probe explain` will search suggestions for.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_DUMP_DEPTH, MAX_DUMP_FEATURES } from '../../../src/cli/dump-file';
import { READ_LIMITS, limitText } from '../../../src/env/bounded-read';
import { MAX_ID_LENGTH } from '../../../src/cli/commands/explain';
import { escapeControl } from '../../../src/cli/text';
import { clone, entry, vmMap } from './fixtures';
import { oneLine, runCli } from './run-cli';

// Every control character a terminal acts on: C0 (incl. ESC, CR, LF, BEL), DEL, C1 (incl. CSI, OSC).
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const EVIL = '\u001b]0;pwned\u0007\u001b[2J\r\nFAKE LINE\u009b31m\u007f';

function hostileMap(): ReturnType<typeof vmMap> {
  const m = clone(vmMap());
  m.kernel.release = `6.1${EVIL}`;
  m.kernel.machine = `x86${EVIL}`;
  m.environment.pmus.push({ name: `evil${EVIL}`, type: 99, formats: {}, caps: {}, events: [] });
  m.features[`attr.evil${EVIL}`] = entry('supported', { value: `v${EVIL}` });
  m.features[`access.evil${EVIL}`] = entry('denied', { errno: 13, errnoName: `EPERM${EVIL}`, reason: `because${EVIL}` });
  m.features['access.kernel'] = entry('denied', { errno: 13, errnoName: `EACCES${EVIL}`, reason: `reason${EVIL}` });
  return m;
}

/** stdout with the CLI's own colour codes (none with NO_COLOR) must hold no control character but newline. */
function assertClean(text: string, what: string): void {
  const m = RAW_CONTROL.exec(text);
  assert.equal(m, null, `${what}: raw control character U+${m?.[0].charCodeAt(0).toString(16).padStart(4, '0')} in:\n${text.slice(0, 2000)}`);
  assert.doesNotMatch(text, /^FAKE LINE/m, `${what}: a file's text started a line of its own`);
}

describe('probe with a hostile dump', function () {
  this.timeout(120_000);
  let dir = '';
  let evil = '';
  let plain = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'perfcompat-hostile-'));
    evil = join(dir, 'evil.json');
    plain = join(dir, 'plain.json');
    writeFileSync(evil, JSON.stringify(hostileMap()));
    writeFileSync(plain, JSON.stringify(vmMap()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { NO_COLOR: '1' };

  it('escapeControl shows every control character as an escape and leaves other text alone', () => {
    assert.equal(escapeControl('a\u001b[2Jb\r\n\t\u0007\u007f\u009b\u0085é→'), 'a\\x1b[2Jb\\r\\n\\t\\x07\\x7f\\u009b\\u0085é→');
  });

  it('probe --from, --all and --json print the dump with control characters escaped', () => {
    for (const args of [['--from', evil], ['--from', evil, '--all'], ['--from', evil, '--json']]) {
      const r = runCli(args, { env });
      assert.equal(r.status, 0, r.stderr);
      assertClean(r.stdout, args.join(' '));
      assertClean(r.stderr, args.join(' '));
    }
    const r = runCli(['--from', evil, '--all'], { env });
    assert.match(r.stdout, /6\.1\\x1b\]0;pwned\\x07/);
  });

  it('probe diff (text and JSON) and probe explain --from escape ids, releases, errno names and reasons', () => {
    for (const args of [['diff', plain, evil], ['diff', evil, plain], ['diff', plain, evil, '--json'], ['explain', 'access.kernel', '--from', evil]]) {
      const r = runCli(args, { env });
      assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: ${r.stderr}`);
      assertClean(r.stdout, args.join(' '));
      assertClean(r.stderr, args.join(' '));
    }
    const d = runCli(['diff', plain, evil], { env });
    assert.match(d.stdout, /attr\.evil\\x1b/);
  });

  it('an error quoting a dump (a bad status) escapes it too', () => {
    const bad = join(dir, 'bad-status.json');
    const m = vmMap() as unknown as { features: Record<string, unknown> };
    m.features[`x${EVIL}`] = { status: `bogus${EVIL}` };
    writeFileSync(bad, JSON.stringify(m));
    const r = runCli(['--from', bad], { env });
    assert.equal(r.status, 2);
    assertClean(r.stderr, 'bad status');
    assert.match(oneLine(r.stderr), /bad-status\.json: not a valid/);
  });

  it('ids constructor, __proto__, toString and hasOwnProperty are plain ids in probe diff', () => {
    const a = vmMap();
    const b = clone(a);
    const odd = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
    // JSON text, so that "__proto__" is an own key as a dump file holds it.
    const withIds = (ids: string[]): string => JSON.stringify(a).replace('"features":{', `"features":{${ids.map((id) => `"${id}":{"status":"supported"}`).join(',')},`);
    writeFileSync(join(dir, 'a.json'), JSON.stringify(a));
    writeFileSync(join(dir, 'b.json'), withIds(odd));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(b));
    const gained = runCli(['diff', join(dir, 'a.json'), join(dir, 'b.json'), '--json'], { env });
    assert.equal(gained.status, 0, gained.stderr);
    const d = JSON.parse(gained.stdout) as { gained: Array<{ id: string; a: unknown; b: { status: string } | null }>; lost: unknown[] };
    assert.deepEqual(d.gained.map((g) => g.id).sort(), [...odd].sort());
    for (const g of d.gained) {
      assert.equal(g.a, null, g.id);
      assert.equal(g.b?.status, 'supported', g.id);
    }
    const lost = runCli(['diff', join(dir, 'b.json'), join(dir, 'c.json')], { env });
    assert.equal(lost.status, 1, lost.stderr);
    assert.doesNotMatch(lost.stdout, /undefined/);
    for (const id of odd) assert.match(lost.stdout, new RegExp(`${id.replace(/_/g, '_')}\\s+supported → absent`));
  });

  it('refuses a dump larger than the limit, from a file and from stdin, naming it and the limit (exit 2)', () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, Buffer.alloc(READ_LIMITS.dump + 1, 0x20));
    const f = runCli(['diff', big, plain], { env });
    assert.equal(f.status, 2, f.stderr);
    assert.match(oneLine(f.stderr), new RegExp(`big\\.json: more than the ${limitText(READ_LIMITS.dump)}`));
    const z = runCli(['--from', '/dev/zero'], { env });
    assert.equal(z.status, 2, z.stderr);
    assert.match(oneLine(z.stderr), new RegExp(`/dev/zero: more than the ${limitText(READ_LIMITS.dump)}`));
    const s = runCli(['diff', '-', plain], { env, input: 'y\n'.repeat(READ_LIMITS.dump / 2 + 1) });
    assert.equal(s.status, 2, s.stderr);
    assert.match(oneLine(s.stderr), /stdin: more than the/);
  });

  it('refuses a dump with more features than the limit, or nesting deeper, naming the file and the limit (exit 2)', () => {
    const many = join(dir, 'many.json');
    const m = vmMap();
    for (let i = 0; i <= MAX_DUMP_FEATURES; i++) m.features[`attr.f${i}`] = { status: 'supported' };
    writeFileSync(many, JSON.stringify(m));
    const r = runCli(['--from', many], { env });
    assert.equal(r.status, 2, r.stderr);
    assert.match(oneLine(r.stderr), new RegExp(`many\\.json: \\d+ features, more than the ${MAX_DUMP_FEATURES}`));

    const deep = join(dir, 'deep.json');
    const depth = 200_000;
    writeFileSync(deep, JSON.stringify(vmMap()).replace('"features":{', `"deep":${'['.repeat(depth)}${']'.repeat(depth)},"features":{`));
    for (const args of [['--from', deep], ['diff', deep, plain], ['explain', 'attr.size', '--from', deep]]) {
      const d = runCli(args, { env });
      assert.equal(d.status, 2, `${args.join(' ')}: ${d.stderr}`);
      assert.match(oneLine(d.stderr), new RegExp(`deep\\.json: (nests deeper than the ${MAX_DUMP_DEPTH} levels|not JSON)`));
    }
  });

  it('exits 3 with the cause when every entry of the map is a fault of the moment', () => {
    const faults = join(dir, 'faults.json');
    const m = vmMap();
    for (const id of Object.keys(m.features)) m.features[id] = entry('error', { errno: 24, errnoName: 'EMFILE', reason: 'open software/cpu-clock: EMFILE' });
    writeFileSync(faults, JSON.stringify(m));
    for (const args of [['--from', faults], ['--from', faults, '--json']]) {
      const r = runCli(args, { env });
      assert.equal(r.status, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(oneLine(r.stderr), /not usable here: every probe ended in a fault of the moment.*EMFILE/);
    }
  });

  it('probe explain refuses an id longer than any feature id at once, naming the limit', () => {
    const r = runCli(['explain', 'x'.repeat(100_000), '--from', plain], { env });
    assert.equal(r.status, 2, r.stderr);
    const line = oneLine(r.stderr);
    assert.match(line, new RegExp(`at most ${MAX_ID_LENGTH} characters`));
    assert.ok(line.length < 300, `${line.length} characters`);
  });
});

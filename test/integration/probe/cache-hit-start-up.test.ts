/**
 * A process served from the cache: it gives the answers a probing process
 * gives, and loads only the cache reader — not the engine, the behaviour
 * runner, the declarations of probes/, the kernel bindings (koffi) nor debug.
 * Users rely on this for start-up (issue #18). Each case runs fresh child
 * processes (the first probes and writes the cache, the second reads it) and
 * lists what they loaded from require.cache at exit.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const ENTRY = path.join(ROOT, 'dist', 'src', 'index.js');
const BIN = path.join(ROOT, 'bin', 'probe.js');

/** Modules probing loads and a cache hit must not, and what each is. */
const PROBING_ONLY: ReadonlyArray<[RegExp, string]> = [
  [/\/dist\/src\/probe\/engine\.js$/, 'the probe engine'],
  [/\/dist\/probes\//, 'the declarations (probes/)'],
  [/\/dist\/src\/sys\/real-kernel\.js$/, 'the real kernel'],
  [/\/node_modules\/koffi\//, 'koffi'],
  [/\/node_modules\/semver\//, 'semver (annotate)'],
];
const DEBUG_MODULE = /\/node_modules\/debug\//;
/** Loaded by neither a plain probe nor a hit (only behaviour checks need it). */
const BEHAVIOUR_RUNNER = /\/dist\/src\/probe\/behaviour-runner\.js$/;

interface Run { out: string; modules: string[] }

function run(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const list = path.join(dir, `modules-${process.hrtime.bigint()}.json`);
  const hook = path.join(dir, 'list-modules.js');
  fs.writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));\n`);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache'), NO_COLOR: '1', ...env };
  if (env.DEBUG === undefined) delete childEnv.DEBUG;
  const r = spawnSync(process.execPath, ['-r', hook, ...args], { env: childEnv, encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, `node ${args.join(' ')}: ${r.stderr}`);
  return { out: r.stdout, modules: JSON.parse(fs.readFileSync(list, 'utf8')) as string[] };
}

function loaded(r: Run, re: RegExp): boolean {
  return r.modules.some((m) => re.test(m));
}

/** The answers of a map: everything but when and how fast it was made, and where it came from. */
function answers(json: string): unknown {
  const { createdAt: _c, durationMs: _d, source: _s, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return rest;
}

describe('a cache hit at start-up', function () {
  this.timeout(240000);
  let dir: string;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-start-up-')); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  const library = ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(ENTRY)}).getCapabilities()))`];

  it('getCapabilities() from the cache gives the probed map without loading the engine, probes/, koffi or debug', () => {
    const miss = run(dir, library);
    const hit = run(dir, library);
    assert.equal((JSON.parse(miss.out) as { source: string }).source, 'probe');
    assert.equal((JSON.parse(hit.out) as { source: string }).source, 'cache');
    assert.deepEqual(answers(hit.out), answers(miss.out));
    for (const [re, what] of PROBING_ONLY) {
      assert.ok(loaded(miss, re), `probing loads ${what} (else this check proves nothing)`);
      assert.ok(!loaded(hit, re), `a cache hit loaded ${what}: ${hit.modules.filter((m) => re.test(m)).join(', ')}`);
    }
    assert.ok(!loaded(hit, BEHAVIOUR_RUNNER), 'a cache hit loaded the behaviour runner');
    assert.ok(!loaded(hit, DEBUG_MODULE), 'debug is loaded only when DEBUG is set');
  });

  it('supports() and feature() of a cached feature are answered without the engine', () => {
    run(dir, library);
    const asked = run(dir, ['-e', `const p = require(${JSON.stringify(ENTRY)}); const e = p.feature('attr.sigtrap'); process.stdout.write(JSON.stringify([e, p.supports('attr.sigtrap'), p.getCapabilities().features['attr.sigtrap']]))`]);
    const [e, yes, inMap] = JSON.parse(asked.out) as [{ status: string }, boolean, unknown];
    assert.deepEqual(e, inMap);
    assert.equal(yes, e.status === 'supported');
    for (const [re, what] of PROBING_ONLY) assert.ok(!loaded(asked, re), `feature() from the cache loaded ${what}`);
  });

  it('probe --json from the cache prints the probed map without loading the engine, probes/ or koffi', () => {
    const miss = run(dir, [BIN, '--json']);
    const hit = run(dir, [BIN, '--json']);
    assert.deepEqual(answers(hit.out), answers(miss.out));
    for (const [re, what] of PROBING_ONLY) {
      assert.ok(loaded(miss, re), `probing loads ${what}`);
      assert.ok(!loaded(hit, re), `probe --json from the cache loaded ${what}`);
    }
  });

  it('probe stat with the map cached loads neither the engine nor probes/', () => {
    run(dir, [BIN, '--json']);
    const stat = run(dir, [BIN, 'stat', '-e', 'task-clock,page-faults', '--', 'true']);
    for (const [re, what] of PROBING_ONLY.slice(0, 2)) assert.ok(!loaded(stat, re), `probe stat from the cache loaded ${what}`);
    // Stat names events but lists none: the events index (listing, open status) stays unloaded.
    for (const m of ['index', 'list-events', 'open-status']) {
      assert.ok(!loaded(stat, new RegExp(`/dist/src/events/${m}\\.js$`)), `probe stat loaded src/events/${m}`);
    }
    assert.ok(loaded(stat, /\/dist\/src\/events\/parse-list\.js$/), 'probe stat resolves its names with src/events/parse-list');
  });

  it('with DEBUG set, debug is loaded and logs under perfcompat:*', () => {
    const r = spawnSync(process.execPath, ['-e', `const { logger } = require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'sys', 'log.js'))}); const l = logger('probe'); l('hello %s', 'there'); process.stdout.write(String(l.enabled))`],
      { env: { ...process.env, DEBUG: 'perfcompat:*', DEBUG_COLORS: '0' }, encoding: 'utf8' });
    assert.equal(r.stdout, 'true');
    assert.match(r.stderr, /perfcompat:probe hello there/);
    const off = spawnSync(process.execPath, ['-e', `const { logger } = require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'sys', 'log.js'))}); const l = logger('probe'); l('hello'); process.stdout.write(String(l.enabled))`],
      { env: { ...process.env, DEBUG: '' }, encoding: 'utf8' });
    assert.equal(off.stdout, 'false');
    assert.equal(off.stderr, '');
  });
});

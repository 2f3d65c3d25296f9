/**
 * The cache on the real kernel when the facts change under it (issue 16):
 * two seccomp filters with the same filter count, tracefs mounted after the
 * probe, a malformed map of the right key; and the library and CLI with too
 * few fds to spawn, and forCommand under a filter that refuses every open.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRNO, PERF_FLAG } from '../../../src/abi';
import { buildSeccompLauncher, isRoot, parseChild, PROJECT_ROOT, which } from './fault-harness';

const DIST = join(PROJECT_ROOT, 'dist', 'src');
const BIN = join(PROJECT_ROOT, 'bin', 'probe.js');

/** Prints { source, cloexec, opened } for the map of this process, cached in $FAULT_CACHE_DIR. */
const MAP_AND_OPEN = `
  const { getCapabilities, openEvent } = require(${JSON.stringify(join(DIST, 'index'))});
  const map = getCapabilities({ cache: { dir: process.env.FAULT_CACHE_DIR } });
  let opened;
  try { openEvent('task-clock', { capabilities: map }).close(); opened = 'ok'; } catch (e) { opened = e.message; }
  process.stdout.write(JSON.stringify({ ok: true, source: map.source, cloexec: map.features['open_flags.fd_cloexec'].status, opened }) + '\\n');
`;

describe('faults: cache keys and spawning on the real kernel', function () {
  this.timeout(240_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'perfcompat-keys-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('under seccomp (the launcher of seccomp.test.ts)', () => {
    let launcher: string;
    let launcherDir = '';
    before(function () {
      const d = launcherDir = mkdtempSync(join(tmpdir(), 'perfcompat-launcher-'));
      const built = buildSeccompLauncher(d);
      if ('skip' in built) { console.log(`      skipped: ${built.skip}`); this.skip(); }
      launcher = (built as { path: string }).path;
    });
    after(() => { if (launcherDir) rmSync(launcherDir, { recursive: true, force: true }); });

    it('a map probed under one filter is not served under another with the same filter count (item 2)', () => {
      const env = { ...process.env, FAULT_CACHE_DIR: join(dir, 'perfcompat'), DEBUG: '' };
      const run = (mask: number) => parseChild(spawnSync(launcher, [`${ERRNO.EPERM}:${mask}`, process.execPath, '-e', MAP_AND_OPEN], { encoding: 'utf8', env }), `filter on ${mask}`) as unknown as
        { source: string; cloexec: string; opened: string };
      // A filter on a flag bit no kernel knows: every real open passes.
      const lax = run(1 << 8);
      assert.equal(lax.source, 'probe');
      assert.equal(lax.cloexec, 'supported');
      assert.equal(run(1 << 8).source, 'cache', 'the same filter is served its map');
      const strict = run(PERF_FLAG.FD_CLOEXEC);
      assert.equal(strict.source, 'probe', 'another filter, the same count: probed, not served');
      assert.equal(strict.cloexec, 'denied');
      assert.equal(strict.opened, 'ok', 'task-clock opens without the refused flag');
      assert.equal(run(PERF_FLAG.FD_CLOEXEC).opened, 'ok', 'and so it does from that filter\'s own cached map');
    });

    it('forCommand leaves no shell behind when the EventSet cannot be made (item 9)', () => {
      const script = `
        const fs = require('node:fs');
        const { EventSet } = require(${JSON.stringify(join(DIST, 'index'))});
        const kids = () => fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).filter((p) => {
          try { const s = fs.readFileSync('/proc/' + p + '/stat', 'latin1'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === process.pid; } catch { return false; }
        }).length;
        (async () => {
          let threw = 0;
          for (let i = 0; i < 5; i++) { try { await EventSet.forCommand(['true'], { stdio: 'ignore' }); } catch { threw++; } }
          process.stdout.write(JSON.stringify({ ok: true, threw, kids: kids() }) + '\\n');
          process.exit(0);
        })();
      `;
      const r = spawnSync(launcher, [String(ERRNO.EPERM), process.execPath, '-e', script], { encoding: 'utf8', env: { ...process.env, DEBUG: '' }, timeout: 60_000 });
      const out = parseChild(r, 'forCommand under seccomp') as unknown as { threw: number; kids: number };
      assert.equal(out.threw, 5, 'every call fails: perf_event_open is refused');
      assert.equal(out.kids, 0, 'shells left behind');
    });
  });

  it('probed without tracefs, then tracefs mounted: probe list \'sched:*\' lists them without --refresh (item 3)', function () {
    if (!isRoot() || !which('unshare')) { console.log('      skipped: needs root and unshare'); this.skip(); }
    const env = { ...process.env, XDG_CACHE_HOME: dir, DEBUG: '' };
    const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
    const node = `${q(process.execPath)} ${q(BIN)}`;
    const unmounted = spawnSync('unshare', ['-m', 'sh', '-c', `umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null; ${node} >/dev/null; ${node} list 'sched:*'`], { encoding: 'utf8', env });
    if (unmounted.status === 0) { console.log('      skipped: tracefs could not be unmounted here'); this.skip(); }
    assert.equal(readdirSync(join(dir, 'perfcompat')).filter((f) => f.startsWith('capabilities-')).length, 1, 'the map without tracefs was cached');
    const mounted = spawnSync('unshare', ['-m', 'sh', '-c', `mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing || exit 99; ${node} list 'sched:*'`], { encoding: 'utf8', env });
    if (mounted.status === 99) { console.log('      skipped: cannot mount tracefs'); this.skip(); }
    assert.equal(mounted.status, 0, mounted.stderr);
    assert.match(mounted.stdout, /^sched:sched_switch\s+tracepoint/m);
    assert.doesNotMatch(mounted.stdout, /0 events/);
  });

  it('a malformed map of the right key is ignored: probe, explain and diff exit 0 (item 4)', () => {
    const env = { ...process.env, XDG_CACHE_HOME: dir, DEBUG: '' };
    assert.equal(spawnSync(process.execPath, [BIN], { encoding: 'utf8', env }).status, 0);
    const cacheDir = join(dir, 'perfcompat');
    const [name] = readdirSync(cacheDir).filter((f) => f.startsWith('capabilities-'));
    const body = JSON.parse(spawnSync('cat', [join(cacheDir, name!)], { encoding: 'utf8' }).stdout) as { map: Record<string, unknown> };
    body.map = { schema: body.map.schema, engineVersion: body.map.engineVersion, features: { 'attr.sigtrap': { status: 'bogus' } } };
    writeFileSync(join(cacheDir, name!), JSON.stringify(body), { mode: 0o600 });
    const dump = join(dir, 'a.json');
    const probe = spawnSync(process.execPath, [BIN, '--json'], { encoding: 'utf8', env });
    assert.equal(probe.status, 0, probe.stderr);
    writeFileSync(dump, probe.stdout);
    for (const args of [['explain', 'attr.sigtrap'], ['diff', dump, dump]]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    }
  });

  describe('too few fds to spawn (item 5)', () => {
    before(function () {
      if (!which('prlimit')) { console.log('      skipped: prlimit (util-linux) is not installed'); this.skip(); }
    });

    for (const n of [19, 21, 23]) {
      it(`prlimit --nofile=${n} probe test: no crash, no stack trace`, function () {
        // Below some limit Node itself cannot start (it loads its own files): not ours to answer.
        const start = spawnSync('prlimit', [`--nofile=${n}`, process.execPath, BIN, '--version'], { encoding: 'utf8' });
        if (start.status !== 0) { console.log(`      skipped: node cannot start with ${n} fds here`); this.skip(); }
        const r = spawnSync('prlimit', [`--nofile=${n}`, process.execPath, BIN, 'test'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: dir, DEBUG: '' } });
        assert.equal(r.signal, null, `killed by ${r.signal}`);
        assert.ok(r.status === 0 || r.status === 1 || r.status === 3, `exit ${r.status}: ${r.stderr.slice(0, 500)}`);
        assert.doesNotMatch(r.stdout + r.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'a stack trace');
      });
    }

    for (const free of [0, 1, 3]) {
      it(`getCapabilities({ behaviour: true }) with ${free} free fds: answers, the spawn faults are error entries, none cached`, () => {
        const cache = join(dir, `perfcompat-${free}`);
        const script = `
          const fs = require('node:fs');
          const { getCapabilities } = require(${JSON.stringify(join(DIST, 'index'))});
          getCapabilities({ cache: { dir: ${JSON.stringify(cache)} } }); // the map first, with fds to spare
          const held = [];
          for (;;) { try { held.push(fs.openSync('/dev/null', 'r')); } catch { break; } }
          for (let i = 0; i < ${free}; i++) fs.closeSync(held.pop());
          let out;
          try {
            const m = getCapabilities({ behaviour: true, cache: { dir: ${JSON.stringify(cache)} } });
            out = { ok: true, features: Object.fromEntries(Object.entries(m.features).filter(([id]) => id.startsWith('behaviour.'))) };
          } catch (e) { out = { ok: false, name: e.name, code: e.code, message: e.message }; }
          for (const fd of held) fs.closeSync(fd);
          process.stdout.write(JSON.stringify(out) + '\\n');
        `;
        const r = spawnSync('prlimit', ['--nofile=64', process.execPath, '-e', script], { encoding: 'utf8', env: { ...process.env, DEBUG: '' } });
        assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(0, 500)}`);
        assert.equal(r.status, 0, `the process died: ${r.stderr.slice(0, 500)}`);
        const out = parseChild(r, `behaviour with ${free} free fds`);
        if (!out.ok) {
          assert.equal(out.name, 'PerfcompatError', out.message);
          return;
        }
        const cached = readdirSync(cache).filter((f) => f.startsWith('behaviour-'));
        for (const f of cached) {
          const b = JSON.parse(spawnSync('cat', [join(cache, f)], { encoding: 'utf8' }).stdout) as { behaviour: Record<string, { status: string; reason?: string }> };
          const wrong = Object.entries(b.behaviour).filter(([, e]) => e.status !== 'supported' && e.status !== 'no-hardware' && e.status !== 'untestable')
            .map(([id, e]) => `${id}: ${e.status} (${e.reason ?? ''})`);
          assert.deepEqual(wrong, [], 'a behaviour answer cached from a run without fds');
          const faults = Object.entries(b.behaviour).filter(([, e]) => /EMFILE|ENFILE/.test(e.reason ?? '')).map(([id]) => id);
          assert.deepEqual(faults, [], 'an EMFILE answer cached');
        }
      });
    }
  });
});

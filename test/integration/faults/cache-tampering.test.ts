/**
 * The capability cache on this machine, tampered with: a file that is
 * truncated, of another schema, world-writable, a symlink or owned by another
 * user is ignored and replaced safely (a fresh probe, a private regular file);
 * the cache directory is created 0700.
 */
import assert from 'node:assert/strict';
import {
  chmodSync, chownSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closesSettled, getCapabilities, forgetCapabilities } from '../../../src/root';
import { isRoot, NOBODY } from './fault-harness';
import { fdChanges, isPerfFd, openFds } from '../../helpers/fds';

describe('faults: a tampered capability cache (real kernel)', function () {
  this.timeout(120_000);
  let base: string;
  let dir: string;

  const probe = (): 'probe' | 'cache' => {
    forgetCapabilities();
    return getCapabilities({ cache: { dir } }).source;
  };
  const cacheFiles = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
  const theFile = (): string => {
    const files = cacheFiles();
    assert.equal(files.length, 1, `one cache file expected, found ${files.join(', ')}`);
    return files[0]!;
  };
  /** After a tampered file was ignored, the replacement is a private regular file served next time. */
  const assertReplacedSafely = (): void => {
    const f = theFile();
    const st = lstatSync(f);
    assert.ok(st.isFile(), 'a regular file, not a symlink');
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.uid, process.geteuid!());
    assert.equal(JSON.parse(readFileSync(f, 'utf8')).schema, 'perfcompat/capabilities@1');
    assert.equal(probe(), 'cache', 'the replacement is trusted');
  };

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'perfcompat-cache-'));
    dir = join(base, 'nested', 'perfcompat');
    const old = process.umask(0);
    try {
      assert.equal(probe(), 'probe');
    } finally {
      process.umask(old);
    }
  });
  afterEach(() => {
    forgetCapabilities();
    rmSync(base, { recursive: true, force: true });
  });

  it('creates the cache directory 0700 (even with umask 0) and the file 0600, then serves it', () => {
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assertReplacedSafely();
  });

  it('ignores and replaces a truncated file', () => {
    const f = theFile();
    truncateSync(f, 17);
    assert.equal(probe(), 'probe');
    assertReplacedSafely();
  });

  it('ignores and replaces a file of another schema', () => {
    const f = theFile();
    const body = JSON.parse(readFileSync(f, 'utf8'));
    body.schema = 'perfcompat/capabilities@999';
    body.map.schema = 'perfcompat/capabilities@999';
    writeFileSync(f, JSON.stringify(body), { mode: 0o600 });
    assert.equal(probe(), 'probe');
    assertReplacedSafely();
  });

  it('ignores and replaces a world-writable file', () => {
    chmodSync(theFile(), 0o666);
    assert.equal(probe(), 'probe');
    assertReplacedSafely();
  });

  it('ignores a symlink (even to a valid map) and replaces the link, not its target', () => {
    const f = theFile();
    const target = join(base, 'elsewhere.json');
    writeFileSync(target, readFileSync(f));
    chmodSync(target, 0o600);
    unlinkSync(f);
    symlinkSync(target, f);
    const before = readFileSync(target, 'utf8');
    assert.equal(probe(), 'probe');
    assertReplacedSafely();
    assert.equal(readFileSync(target, 'utf8'), before, 'the symlink target is untouched');
  });

  // The probe closes its tracepoint fds off the thread: both snapshots wait for those closes.
  it('leaves no fd open after all of it', async () => {
    const real = realpathSync(base);
    await closesSettled();
    const before = openFds();
    for (let i = 0; i < 3; i++) { truncateSync(theFile(), 3); probe(); }
    await closesSettled();
    // The cache's files and directories, and the probe's perf events: what this code opens and closes.
    assert.deepEqual(fdChanges(before, (t) => t.startsWith(real) || isPerfFd(t)), []);
  });

  it('ignores and replaces a file owned by another user', function () {
    if (!isRoot()) { console.log('      skipped: needs root to give the file to another user'); this.skip(); }
    chownSync(theFile(), NOBODY, NOBODY);
    assert.equal(probe(), 'probe');
    assertReplacedSafely();
  });
});

/**
 * probe --behaviour leaves the plain map alone: `probe --json` says the same
 * before and after it, and `probe diff` of a dump with behaviour answers
 * against one without finds no loss (the checks one side did not run are not
 * losses). Each run has its own temporary cache.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';

describe('cli: behaviour answers apart from the map', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    if (process.platform !== 'linux') this.skip();
    dir = mkdtempSync(join(tmpdir(), 'pc-behave-cli-'));
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('plain probe --json has the same features before and after probe --behaviour, and diff of the two dumps exits 0', () => {
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const plain = runCli(['--json'], { env });
    assert.equal(plain.status, 0, plain.stderr);
    const checked = runCli(['--json', '--behaviour'], { env });
    assert.equal(checked.status, 0, checked.stderr);
    const withIds = Object.keys((JSON.parse(checked.stdout) as { features: object }).features).filter((id) => id.startsWith('behaviour.'));
    assert.ok(withIds.length > 0, 'probe --behaviour reports behaviour answers');
    const after = runCli(['--json'], { env });
    assert.equal(after.status, 0, after.stderr);
    const features = (text: string): string => JSON.stringify((JSON.parse(text) as { features: object }).features);
    assert.equal(features(after.stdout), features(plain.stdout));
    const a = join(dir, 'plain.json');
    const b = join(dir, 'checked.json');
    writeFileSync(a, plain.stdout);
    writeFileSync(b, checked.stdout);
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const d = runCli(['diff', x, y, '--json'], { env });
      assert.equal(d.status, 0, d.stdout + d.stderr);
      const j = JSON.parse(d.stdout) as { lost: unknown[]; gained: unknown[] };
      assert.deepEqual([j.lost.length, j.gained.length], [0, 0]);
    }
  });
});

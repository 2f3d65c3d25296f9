/**
 * What `npm publish` would ship: no warnings from npm about the manifest, a
 * LICENSE, both bin entries kept and present, and every source map pointing at
 * a source that is in the package too. Needs a build (dist/).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { packDryRun, ROOT, spawnNpm } from './packed';

/** npm's one warning that is about this machine (no registry login), not the package. */
const NOT_LOGGED_IN = /requires you to be logged in/;

describe('package: what npm publish ships', function () {
  this.timeout(60_000);

  it('npm publish --dry-run prints no warning about the package', () => {
    const r = spawnNpm(['publish', '--dry-run', '--ignore-scripts', '--json']);
    const warnings = r.stderr.split('\n').filter((l) => /\bwarn\b/i.test(l) && !NOT_LOGGED_IN.test(l));
    assert.deepEqual(warnings, []);
  });

  it('runs no script on a consumer\'s install (npm warns about each)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    const run = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => pkg.scripts?.[s] !== undefined);
    assert.deepEqual(run, []);
    assert.ok(pkg.scripts?.prepack !== undefined, 'npm pack and publish must build first');
  });

  it('holds the LICENSE named in package.json', () => {
    const paths = packDryRun().files.map((f) => f.path);
    assert.ok(paths.includes('LICENSE'), 'no LICENSE in the package');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), new RegExp(`^${pkg.license} License\\n`));
  });

  it('keeps every bin entry, each an executable file in the package', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const files = new Map(packDryRun().files.map((f) => [f.path, f]));
    assert.ok(Object.keys(pkg.bin).length >= 2);
    for (const [name, target] of Object.entries(pkg.bin)) {
      assert.equal(posix.normalize(target), target, `bin ${name}: npm removes the non-normal path ${target}`);
      const f = files.get(target);
      assert.ok(f !== undefined, `bin ${name}: ${target} is not in the package`);
      assert.ok((f.mode & 0o111) !== 0, `bin ${name}: ${target} is not executable`);
    }
  });

  it('ships the source every .map points to', () => {
    const paths = new Set(packDryRun().files.map((f) => f.path));
    const maps = [...paths].filter((p) => p.endsWith('.map'));
    const missing: string[] = [];
    for (const m of maps) {
      const map = JSON.parse(readFileSync(join(ROOT, m), 'utf8')) as { sources: string[]; sourceRoot?: string };
      for (const s of map.sources) {
        const p = posix.join(dirname(m), map.sourceRoot ?? '', s);
        if (!paths.has(p)) missing.push(`${m} → ${p}`);
      }
    }
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} of ${maps.length} maps point outside the package`);
  });
});

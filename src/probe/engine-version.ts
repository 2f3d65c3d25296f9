/** The package's own version (package.json): one part of the cache key, and `probe --version`. */
import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

export function engineVersion(): string {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'perfcompat' && typeof pkg.version === 'string') {
        cached = pkg.version;
        return cached;
      }
    } catch {
      // not here; look one level up
    }
    dir = path.dirname(dir);
  }
  cached = '0.0.0-unknown';
  return cached;
}

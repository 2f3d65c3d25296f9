/**
 * The perfcompat version, read from the package.json next to the built code
 * (dist/src/cli → package root), so `--version` never disagrees with npm.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'perfcompat' && typeof pkg.version === 'string') return (cached = pkg.version);
      } catch {
        // keep looking upwards
      }
    }
    dir = dirname(dir);
  }
  return (cached = 'unknown');
}

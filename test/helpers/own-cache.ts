/**
 * A suite's own cache: inside a describe(), `ownCache()` points
 * XDG_CACHE_HOME at a fresh temporary directory for the suite's tests (and
 * the CLI children they spawn), so that what other suites cached (a map with
 * behaviour entries, a map probed before tracefs was mounted) cannot change
 * what these tests see. The directory is removed after the suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function ownCache(): { readonly dir: string } {
  let saved: string | undefined;
  let dir = '';
  before(() => {
    saved = process.env.XDG_CACHE_HOME;
    dir = mkdtempSync(join(tmpdir(), 'perfcompat-suite-cache-'));
    process.env.XDG_CACHE_HOME = dir;
  });
  after(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  return { get dir() { return dir; } };
}

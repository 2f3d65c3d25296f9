// A consumer project in a temporary directory, laid out as npm installs
// "@mitata/counters": "npm:@perfcompat/mitata-counters@^0.1" beside mitata
// and perfcompat: node_modules/@mitata/counters holds this package's files,
// node_modules/mitata a copy of the installed mitata, node_modules/perfcompat
// links to this repository (built).
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(PACKAGE_ROOT, '..', '..');

export function makeConsumer() {
  const dir = mkdtempSync(join(tmpdir(), 'perfcompat-mitata-'));
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, '@mitata'), { recursive: true });
  cpSync(join(PACKAGE_ROOT, 'package.json'), join(nm, '@mitata', 'counters', 'package.json'));
  cpSync(join(PACKAGE_ROOT, 'src'), join(nm, '@mitata', 'counters', 'src'), { recursive: true });
  const mitata = dirname(createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('mitata/package.json'));
  cpSync(mitata, join(nm, 'mitata'), { recursive: true });
  symlinkSync(REPO_ROOT, join(nm, 'perfcompat'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  return {
    dir,
    /** Run an ES module script in the consumer project; its last stdout line is JSON. */
    run(name, source, env = {}) {
      writeFileSync(join(dir, name), source);
      const r = spawnSync(process.execPath, [join(dir, name)], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 });
      return r;
    },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}

export function lastJson(r, what) {
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try { return JSON.parse(line); } catch {
    throw new Error(`${what}: no JSON (status ${r.status}, signal ${r.signal}); stdout: ${r.stdout.slice(-2000)} stderr: ${r.stderr.slice(-2000)}`);
  }
}

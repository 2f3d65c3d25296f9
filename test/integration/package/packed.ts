/**
 * The package as npm would publish it: the file list of `npm pack --dry-run
 * --json` (no scripts run, so it lists the dist/ of the current build), and a
 * copy of exactly those files in a consumer project's node_modules. Shared by
 * the package tests.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package root, from dist/test/integration/package. */
export const ROOT = join(__dirname, '..', '..', '..', '..');

export interface PackReport {
  name: string;
  files: { path: string; size: number; mode: number }[];
  /** npm's own output on stderr (its warnings). */
  stderr: string;
}

let cached: PackReport | undefined;

export function packDryRun(): PackReport {
  if (cached) return cached;
  const r = spawnNpm(['pack', '--dry-run', '--json', '--ignore-scripts']);
  const [report] = JSON.parse(r.stdout) as [{ name: string; files: PackReport['files'] }];
  cached = { name: report.name, files: report.files, stderr: r.stderr };
  return cached;
}

export function spawnNpm(args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync('npm', args, { cwd: ROOT, encoding: 'utf8', timeout: 50_000, env: { ...process.env, npm_config_loglevel: 'warn', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/**
 * A consumer project in `dir` with the packed files as node_modules/perfcompat,
 * its runtime dependencies and @types/node linked from this checkout — and none
 * of its devDependencies.
 */
export function installPacked(dir: string): void {
  const target = join(dir, 'node_modules', 'perfcompat');
  for (const f of packDryRun().files) {
    mkdirSync(dirname(join(target, f.path)), { recursive: true });
    cpSync(join(ROOT, f.path), join(target, f.path));
  }
  const pkg = require(join(ROOT, 'package.json')) as { dependencies?: Record<string, string> };
  for (const dep of [...Object.keys(pkg.dependencies ?? {}), '@types/node', ...nodeTypesDeps()]) {
    mkdirSync(dirname(join(dir, 'node_modules', dep)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
  }
}

/** What @types/node itself needs (undici-types). */
function nodeTypesDeps(): string[] {
  const p = require(join(ROOT, 'node_modules', '@types', 'node', 'package.json')) as { dependencies?: Record<string, string> };
  return Object.keys(p.dependencies ?? {});
}

export function tscBin(): string {
  return join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
}

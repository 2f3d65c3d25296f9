/**
 * Where the kernel-matrix harness keeps things and which kernels it boots.
 *
 * A kernel spec is `[arch:]suite[:package[=version]]`:
 * - `suite`: the newest cloud kernel of that suite and its -security suite;
 * - `suite:package`, `suite:package=version`, e.g. `bookworm:linux-image-6.1.0-30-cloud-amd64`;
 * - an `arch:` prefix (`amd64` or `arm64`, default amd64) picks the guest's
 *   architecture, e.g. `arm64:trixie` (linux-image-cloud-arm64 of trixie, booted with
 *   qemu-system-aarch64 -M virt). A package whose name ends in `-arm64` is an arm64
 *   kernel without the prefix: `sid:linux-image-cloud-arm64`.
 * Specs come from the command line of run.js or from PERFCOMPAT_KERNELS (space- or
 * comma-separated).
 */
import * as path from 'node:path';
import * as fs from 'node:fs';

/** The default matrix: one amd64 cloud kernel per Debian suite, oldest first, then arm64 trixie and sid. */
export const DEFAULT_SPECS = ['bullseye', 'bookworm', 'trixie', 'sid', 'arm64:trixie', 'arm64:sid'];

/** Guest architectures, by Debian name. */
export const ARCHES = ['amd64', 'arm64'] as const;
export type Arch = typeof ARCHES[number];

/** The suites the private apt configuration always carries. */
export const DEFAULT_SUITES = [
  'bullseye', 'bullseye-security', 'bookworm', 'bookworm-security', 'trixie', 'trixie-security', 'sid',
];

/** The cloud-kernel metapackage of an architecture. */
export function defaultPackage(arch: Arch): string {
  return `linux-image-cloud-${arch}`;
}

export interface KernelSpec {
  /** As written by the user. */
  text: string;
  /** Debian architecture of the kernel and of the guest. */
  arch: Arch;
  suite: string;
  pkg: string;
  version?: string;
}

export function parseSpec(text: string): KernelSpec {
  const t = text.trim();
  const pre = /^(amd64|arm64):/.exec(t);
  const rest = pre ? t.slice(pre[0].length) : t;
  const m = /^([a-z][a-z0-9-]*)(?::([a-z0-9][a-z0-9.+-]*)(?:=([A-Za-z0-9.+~:-]+))?)?$/.exec(rest);
  if (!m) throw new Error(`bad kernel spec "${text}": want [arch:]suite, [arch:]suite:package or [arch:]suite:package=version (arch: ${ARCHES.join(' or ')})`);
  const byPkg: Arch | undefined = m[2] === undefined ? undefined : /-arm64$/.test(m[2]) ? 'arm64' : /-amd64$/.test(m[2]) ? 'amd64' : undefined;
  const arch: Arch = (pre?.[1] as Arch | undefined) ?? byPkg ?? 'amd64';
  if (pre && byPkg && byPkg !== arch) throw new Error(`bad kernel spec "${text}": package ${m[2]} is ${byPkg}, the prefix says ${arch}`);
  const spec: KernelSpec = { text: t, arch, suite: m[1]!, pkg: m[2] ?? defaultPackage(arch) };
  if (m[3] !== undefined) spec.version = m[3];
  return spec;
}

/** Specs from argv if any, else PERFCOMPAT_KERNELS, else the default matrix. */
export function kernelSpecs(argv: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): KernelSpec[] {
  const words = argv.length > 0 ? [...argv] : (env.PERFCOMPAT_KERNELS ?? '').split(/[\s,]+/).filter(Boolean);
  return (words.length > 0 ? words : DEFAULT_SPECS).map(parseSpec);
}

/** The repository root: the folder holding package.json above this file (works from src and dist). */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if ((JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: string }).name === 'perfcompat') return dir;
      } catch { /* keep looking */ }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no perfcompat package.json above ${from}`);
    dir = up;
  }
}

export interface HarnessPaths {
  root: string;
  cache: string;
  apt: string;
  debs: string;
  extract: string;
  initramfs: string;
  results: string;
  report: string;
}

export function harnessPaths(root: string = repoRoot(), env: NodeJS.ProcessEnv = process.env): HarnessPaths {
  const cache = env.PERFCOMPAT_KERNELS_CACHE ? path.resolve(env.PERFCOMPAT_KERNELS_CACHE) : path.join(root, 'test', 'kernels', '.cache');
  return {
    root,
    cache,
    apt: path.join(cache, 'apt'),
    debs: path.join(cache, 'debs'),
    extract: path.join(cache, 'extract'),
    initramfs: path.join(cache, 'initramfs'),
    results: path.join(cache, 'results'),
    report: env.PERFCOMPAT_KERNELS_REPORT ? path.resolve(env.PERFCOMPAT_KERNELS_REPORT) : path.join(root, 'test', 'kernels', 'REPORT.md'),
  };
}

export function envInt(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${v}: want a positive number`);
  return n;
}

/** A file-name-safe form of a string. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9.+_-]+/g, '_');
}

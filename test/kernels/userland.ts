/**
 * A foreign guest's userland (arm64 under qemu-system-aarch64): Debian's own
 * node, its libraries and busybox-static for that architecture, fetched through
 * the private apt lists, unpacked into one tree; and koffi's prebuilt native
 * module for that architecture from npm, installed into a scratch folder of the
 * harness cache (the repository's node_modules is never touched).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { run } from './exec';
import { aptName, download, pickVersion, suiteFamily, type Candidate, type PrivateApt } from './apt';
import { slug } from './config';

/** The suite the foreign node comes from: trixie's nodejs is Node 20. */
export const USERLAND_SUITE = 'trixie';

/**
 * What Debian's node needs to start: the binary (nodejs) and libnode, their
 * libraries, and the node-* packages whose modules node loads at start
 * ("Cannot load externalized builtin" without them); busybox-static is the
 * guest's shell and tools.
 */
export const USERLAND_PACKAGES = [
  'nodejs', 'libnode115',
  'libc6', 'libgcc-s1', 'libstdc++6', 'libuv1t64', 'libicu76', 'libssl3t64', 'libbrotli1', 'libcares2', 'libnghttp2-14', 'zlib1g', 'libzstd1',
  'node-acorn', 'node-cjs-module-lexer', 'node-undici', 'node-llhttp', 'node-minimatch', 'node-balanced-match', 'node-brace-expansion',
  'busybox-static',
];

/** What the initramfs builder takes from a foreign userland. */
export interface ForeignUserland {
  arch: string;
  /** Unpacked packages: usr/bin/node, usr/lib/<triplet>/…, busybox. */
  tree: string;
  /** The guest's busybox inside tree (absolute host path). */
  busybox: string;
  /** A node_modules folder holding koffi and its native package for arch. */
  nodeModules: string;
  /** Packages and versions, for the report. */
  packages: Candidate[];
  /** Cache key: changes when any package or koffi changes. */
  key: string;
}

/** Fetch and unpack the userland for arch (cached per package version). */
export async function fetchUserland(apt: PrivateApt, arch: string, debs: string, extract: string, koffiVersion: string): Promise<ForeignUserland> {
  const suites = suiteFamily(USERLAND_SUITE);
  const packages: Candidate[] = [];
  for (const pkg of USERLAND_PACKAGES) packages.push(await pickVersion(apt, pkg, suites, undefined, arch));
  const key = createHash('sha256').update(`${arch}\0${packages.map((c) => `${c.pkg}=${c.version}`).join(',')}\0koffi ${koffiVersion}`).digest('hex').slice(0, 16);
  const tree = path.join(extract, slug(`userland-${arch}-${key}`));
  const done = path.join(tree, '.done');
  if (!fs.existsSync(done)) {
    fs.rmSync(tree, { recursive: true, force: true });
    fs.mkdirSync(tree, { recursive: true });
    for (const c of packages) {
      const deb = await download(apt, c, debs);
      await run(['dpkg-deb', '-x', deb, tree]);
    }
    for (const d of ['usr/share/doc', 'usr/share/man', 'usr/share/lintian', 'usr/share/locale', 'usr/share/info']) fs.rmSync(path.join(tree, d), { recursive: true, force: true });
    fs.writeFileSync(done, packages.map(aptName).join('\n'));
  }
  const busybox = ['usr/bin/busybox', 'bin/busybox'].map((p) => path.join(tree, p)).find((p) => fs.existsSync(p));
  if (!busybox) throw new Error(`busybox-static:${arch} left no bin/busybox or usr/bin/busybox in ${tree}`);
  if (!fs.existsSync(path.join(tree, 'usr', 'bin', 'node')) && !fs.existsSync(path.join(tree, 'usr', 'bin', 'nodejs'))) throw new Error(`nodejs:${arch} left no usr/bin/node in ${tree}`);
  const nodeModules = await koffiFor(arch, koffiVersion, path.join(path.dirname(extract), 'npm'));
  return { arch, tree, busybox, nodeModules, packages, key };
}

/** npm's name for a Debian architecture. */
export function npmCpu(arch: string): string {
  return ({ amd64: 'x64', arm64: 'arm64', armhf: 'arm', i386: 'ia32', riscv64: 'riscv64' } as Record<string, string>)[arch] ?? arch;
}

/** `npm install --cpu=<arch> --os=linux koffi@version` into a scratch folder (cached); returns its node_modules. */
export async function koffiFor(arch: string, version: string, scratchRoot: string): Promise<string> {
  const cpu = npmCpu(arch);
  const dir = path.join(scratchRoot, `koffi-${version}-linux-${cpu}`);
  const native = path.join(dir, 'node_modules', '@koromix', `koffi-linux-${cpu}`);
  if (fs.existsSync(path.join(native, 'package.json')) && fs.existsSync(path.join(dir, 'node_modules', 'koffi', 'package.json'))) return path.join(dir, 'node_modules');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"perfcompat-kernels-koffi","private":true}\n');
  await run(['npm', 'install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', `--cpu=${cpu}`, '--os=linux', `koffi@${version}`], { cwd: dir, timeoutMs: 600_000 });
  if (!fs.existsSync(path.join(native, 'package.json'))) throw new Error(`npm install --cpu=${cpu} --os=linux koffi@${version} installed no @koromix/koffi-linux-${cpu}`);
  return path.join(dir, 'node_modules');
}

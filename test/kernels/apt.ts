/**
 * Fetch kernel packages through a PRIVATE apt configuration: its own
 * sources.list, lists, cache and status under the harness cache folder. The
 * machine's own apt sources are read (to learn which Debian mirror it uses)
 * and never changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from './exec';
import { DEFAULT_SUITES, type KernelSpec, slug } from './config';

export const DEFAULT_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export interface Mirrors {
  /** e.g. http://<host>/debian */
  debian: string;
  /** e.g. http://<host>/debian-security */
  security: string;
  keyring: string;
  /** Where they were found, for messages. */
  from: string;
}

interface SourceEntry { uri: string; suites: string[]; signedBy?: string; file: string }

/** Parse one-line (`deb [opts] uri suite comps`) and deb822 (`.sources`) entries. */
export function parseSources(text: string, file: string): SourceEntry[] {
  const out: SourceEntry[] = [];
  if (file.endsWith('.sources')) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const fields: Record<string, string> = {};
      let last = '';
      for (const line of stanza.split('\n')) {
        if (/^\s*#/.test(line)) continue;
        const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
        if (m) { last = m[1]!.toLowerCase(); fields[last] = m[2]!.trim(); } else if (/^\s+\S/.test(line) && last) fields[last] += ` ${line.trim()}`;
      }
      if (!fields.types?.split(/\s+/).includes('deb') || !fields.uris || !fields.suites) continue;
      if (fields.enabled && /^no$/i.test(fields.enabled)) continue;
      for (const uri of fields.uris.split(/\s+/)) {
        const e: SourceEntry = { uri, suites: fields.suites.split(/\s+/), file };
        if (fields['signed-by'] && !fields['signed-by'].includes('BEGIN PGP')) e.signedBy = fields['signed-by'];
        out.push(e);
      }
    }
  } else {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (!m) continue;
      const e: SourceEntry = { uri: m[2]!, suites: [m[3]!], file };
      const sb = /signed-by=(\S+)/.exec(m[1] ?? '');
      if (sb) e.signedBy = sb[1]!;
      out.push(e);
    }
  }
  return out;
}

const DEBIAN_SUITE = /^(buzz|rex|bo|hamm|slink|potato|woody|sarge|etch|lenny|squeeze|wheezy|jessie|stretch|buster|bullseye|bookworm|trixie|forky|duke|sid|stable|testing|unstable|oldstable|oldoldstable|experimental)(-updates|-backports|-proposed-updates|-security|\/updates)?$/;

/** The Debian mirror and security mirror this machine's apt uses. */
export function findMirrors(env: NodeJS.ProcessEnv = process.env, etc = '/etc/apt'): Mirrors {
  const entries: SourceEntry[] = [];
  const files: string[] = [];
  if (fs.existsSync(path.join(etc, 'sources.list'))) files.push(path.join(etc, 'sources.list'));
  const dir = path.join(etc, 'sources.list.d');
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.list') || f.endsWith('.sources')) files.push(path.join(dir, f));
  }
  for (const f of files) entries.push(...parseSources(fs.readFileSync(f, 'utf8'), f));
  const strip = (u: string) => u.replace(/\/+$/, '');
  const main = entries.find((e) => e.suites.some((s) => DEBIAN_SUITE.test(s) && !/security/.test(s)));
  const sec = entries.find((e) => e.suites.some((s) => DEBIAN_SUITE.test(s) && /security/.test(s)));
  const debian = env.PERFCOMPAT_DEBIAN_MIRROR ?? (main ? strip(main.uri) : undefined);
  if (!debian) {
    throw new Error(`no Debian mirror found in ${files.join(', ') || `${etc}/sources.list(.d)`}; set PERFCOMPAT_DEBIAN_MIRROR`);
  }
  const security = env.PERFCOMPAT_DEBIAN_SECURITY_MIRROR ?? (sec ? strip(sec.uri) : `${debian.replace(/\/debian$/, '')}/debian-security`);
  let keyring = env.PERFCOMPAT_DEBIAN_KEYRING ?? main?.signedBy ?? DEFAULT_KEYRING;
  if (!fs.existsSync(keyring)) keyring = DEFAULT_KEYRING;
  return { debian, security, keyring, from: main?.file ?? 'environment' };
}

export interface PrivateApt {
  dir: string;
  mirrors: Mirrors;
  suites: string[];
  /** The -o options that make apt-get/apt-cache use only the private configuration. */
  opts: string[];
}

/** The architecture of the private lists that every suite carries; others are added per suite. */
export const NATIVE_ARCH = 'amd64';

/**
 * `foreign` maps a foreign architecture (arm64) to the suites whose lists must
 * carry it too: only those suites' arm64 lists are fetched.
 */
export function privateApt(dir: string, mirrors: Mirrors, extraSuites: readonly string[] = [], foreign: Readonly<Record<string, readonly string[]>> = {}): PrivateApt {
  const foreignSuites = Object.values(foreign).flat();
  const suites = [...new Set([...DEFAULT_SUITES, ...extraSuites, ...foreignSuites])];
  const archesOf = (s: string) => [NATIVE_ARCH, ...Object.keys(foreign).filter((a) => foreign[a]!.includes(s))];
  const allArches = [...new Set([NATIVE_ARCH, ...Object.keys(foreign)])];
  for (const d of ['etc/sources.list.d', 'etc/preferences.d', 'etc/apt.conf.d', 'state/lists/partial', 'cache/archives/partial']) {
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  }
  const status = path.join(dir, 'state', 'status');
  if (!fs.existsSync(status)) fs.writeFileSync(status, '');
  const lines = suites.map((s) => `deb [arch=${archesOf(s).join(',')} signed-by=${mirrors.keyring}] ${/-security$/.test(s) ? mirrors.security : mirrors.debian} ${s} main`);
  const list = path.join(dir, 'etc', 'sources.list');
  const text = `# written by perfcompat test/kernels; private to the kernel-matrix harness\n${lines.join('\n')}\n`;
  if (!fs.existsSync(list) || fs.readFileSync(list, 'utf8') !== text) fs.writeFileSync(list, text);
  const opts = [
    `Dir::Etc::SourceList=${list}`,
    `Dir::Etc::SourceParts=${path.join(dir, 'etc', 'sources.list.d')}`,
    `Dir::Etc::Preferences=${path.join(dir, 'etc', 'preferences')}`,
    `Dir::Etc::PreferencesParts=${path.join(dir, 'etc', 'preferences.d')}`,
    `Dir::State=${path.join(dir, 'state')}`,
    `Dir::State::status=${status}`,
    `Dir::Cache=${path.join(dir, 'cache')}`,
    // Keep apt's binary package cache (container images often turn it off): without it every
    // apt-cache call re-parses all seven suites' lists.
    'Dir::Cache::pkgcache=pkgcache.bin',
    'Dir::Cache::srcpkgcache=srcpkgcache.bin',
    `APT::Architecture=${NATIVE_ARCH}`,
    `APT::Architectures=${allArches.join(',')}`,
    'Acquire::Languages=none',
    'APT::Sandbox::User=root',
  ].flatMap((o) => ['-o', o]);
  return { dir, mirrors, suites, opts };
}

/** apt-get update of the private lists, unless they are younger than maxAgeHours and the sources did not change. */
export async function updateLists(apt: PrivateApt, maxAgeHours: number, force = false): Promise<boolean> {
  const stamp = path.join(apt.dir, 'updated.stamp');
  const list = fs.readFileSync(path.join(apt.dir, 'etc', 'sources.list'), 'utf8');
  if (!force && fs.existsSync(stamp)) {
    const st = fs.statSync(stamp);
    if (fs.readFileSync(stamp, 'utf8') === list && Date.now() - st.mtimeMs < maxAgeHours * 3600_000) return false;
  }
  const r = await run(['apt-get', ...apt.opts, '-q', 'update'], { timeoutMs: 600_000 });
  // apt-get update exits 0 even when a suite failed; a missing suite must not go unnoticed.
  const failed = r.stdout.split('\n').concat(r.stderr.split('\n')).filter((l) => /^(Err:|E: )/.test(l));
  if (failed.length > 0) throw new Error(`apt-get update of the private kernel lists failed:\n${failed.join('\n')}`);
  fs.writeFileSync(stamp, list);
  return true;
}

/** A package version in the private lists; `arch` is set for a foreign architecture (arm64, or `all` found in its lists). */
export interface Candidate { pkg: string; version: string; suite: string; arch?: string }

/** The name apt takes for a candidate: `pkg` natively, `pkg:arm64` for a foreign architecture. */
export function aptName(c: { pkg: string; arch?: string }): string {
  return c.arch !== undefined && c.arch !== NATIVE_ARCH && c.arch !== 'all' ? `${c.pkg}:${c.arch}` : c.pkg;
}

/**
 * Run an apt command on `pkg:arch`, and on plain `pkg` when apt does not know the qualified
 * name: madison lists an Architecture: all package (trixie's linux-libc-dev) under each
 * architecture's lists, but apt takes it only unqualified.
 */
async function qualifiedOrPlain<T>(c: Candidate, f: (name: string) => Promise<T>): Promise<T> {
  const name = aptName(c);
  if (name === c.pkg) return f(name);
  try { return await f(name); } catch { return f(c.pkg); }
}

const madisonMemo = new Map<string, Promise<Candidate[]>>();

/** Versions of a package (of `arch`, default the native one) in the private lists, newest first, with the suite each comes from. */
export function madison(apt: PrivateApt, pkg: string, arch?: string): Promise<Candidate[]> {
  const key = `${apt.dir}\0${fs.existsSync(path.join(apt.dir, 'updated.stamp')) ? fs.statSync(path.join(apt.dir, 'updated.stamp')).mtimeMs : 0}\0${pkg}\0${arch ?? ''}`;
  let p = madisonMemo.get(key);
  if (!p) { p = madisonUncached(apt, pkg, arch); madisonMemo.set(key, p); }
  return p;
}

async function madisonUncached(apt: PrivateApt, pkg: string, arch?: string): Promise<Candidate[]> {
  const foreign = arch !== undefined && arch !== NATIVE_ARCH ? arch : undefined;
  // apt-cache names a foreign Multi-Arch: same or arch-all package without a qualifier, and other foreign
  // packages only with one (nodejs:arm64): ask plainly, then qualified, and keep the lines of that architecture.
  const names = foreign ? [pkg, `${pkg}:${foreign}`] : [pkg];
  for (const name of names) {
    const r = await run(['apt-cache', ...apt.opts, 'madison', name], { allowFail: true });
    const out: Candidate[] = [];
    for (const line of r.stdout.split('\n')) {
      const f = line.split('|').map((x) => x.trim());
      if (f.length < 3 || f[0]!.replace(/:[a-z0-9]+$/, '') !== pkg) continue;
      // "http://mirror/debian trixie/main arm64 Packages": the suite, and the architecture of that list.
      const where = f[2]!.split(/\s+/);
      const suite = where[1]?.split('/')[0];
      if (!suite) continue;
      if (foreign && where[2] !== foreign && where[2] !== 'all') continue;
      const c: Candidate = { pkg, version: f[1]!, suite };
      if (foreign) c.arch = where[2]!;
      out.push(c);
    }
    if (out.length > 0 || !foreign) return out;
  }
  return [];
}

/** Suites a spec's suite stands for: `bookworm` → bookworm and bookworm-security. */
export function suiteFamily(suite: string): string[] {
  return /-security$/.test(suite) || suite === 'sid' || suite === 'unstable' || suite === 'experimental' ? [suite] : [suite, `${suite}-security`];
}

export async function pickVersion(apt: PrivateApt, pkg: string, suites: readonly string[], version?: string, arch?: string): Promise<Candidate> {
  const all = await madison(apt, pkg, arch);
  const inSuite = all.filter((c) => suites.includes(c.suite));
  const hit = version !== undefined ? inSuite.find((c) => c.version === version) ?? all.find((c) => c.version === version) : inSuite[0];
  if (!hit) {
    const seen = all.map((c) => `${c.version} (${c.suite})`).join(', ') || 'nowhere';
    throw new Error(`package ${aptName({ pkg, arch })}${version ? `=${version}` : ''} not found in ${suites.join('/')}; apt knows it in: ${seen}`);
  }
  return hit;
}

export async function showDepends(apt: PrivateApt, c: Candidate): Promise<string[]> {
  const r = await qualifiedOrPlain(c, (name) => run(['apt-cache', ...apt.opts, 'show', `${name}=${c.version}`]));
  const stanza = r.stdout.split(/\n\n/)[0] ?? '';
  const dep = /^Depends:\s*(.*)$/m.exec(stanza)?.[1] ?? '';
  return dep.split(',').map((d) => d.trim().split(/\s|\|/)[0]!).filter(Boolean);
}

/** Download one package version into dir (cached: an existing .deb is reused). A failed download throws. */
export async function download(apt: PrivateApt, c: Candidate, dir: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const name = `${c.pkg}_${c.version.replace(/:/g, '%3a')}_`;
  const have = fs.readdirSync(dir).find((f) => f.startsWith(name) && f.endsWith('.deb'));
  if (have) return path.join(dir, have);
  await qualifiedOrPlain(c, (name) => run(['apt-get', ...apt.opts, '-q', 'download', `${name}=${c.version}`], { cwd: dir, timeoutMs: 900_000 }));
  const got = fs.readdirSync(dir).find((f) => f.startsWith(name) && f.endsWith('.deb'));
  if (!got) throw new Error(`apt-get download ${aptName(c)}=${c.version} left no .deb in ${dir}`);
  return path.join(dir, got);
}

/** Extract the members of a .deb that `match` accepts into dest; returns the extracted regular files. */
export async function extractMembers(deb: string, dest: string, match: (member: string) => boolean): Promise<string[]> {
  const members = (await run(['bash', '-o', 'pipefail', '-c', 'dpkg-deb --fsys-tarfile "$1" | tar -t', 'bash', deb])).stdout
    .split('\n').filter((m) => m && match(m));
  if (members.length === 0) return [];
  fs.mkdirSync(dest, { recursive: true });
  await run(['bash', '-o', 'pipefail', '-c', 'f="$1"; d="$2"; shift 2; dpkg-deb --fsys-tarfile "$f" | tar -x -C "$d" -- "$@"', 'bash', deb, dest, ...members]);
  return members.map((m) => path.join(dest, m)).filter((p) => fs.existsSync(p) && fs.statSync(p).isFile());
}

export interface KernelArtifacts {
  spec: KernelSpec;
  /** The package that was asked for and the one that held the kernel image. */
  requested: Candidate;
  imagePackage: Candidate;
  vmlinuz: string;
  /** Kernel release from the vmlinuz path, e.g. 6.1.0-56-cloud-amd64. */
  release: string;
  header: { path: string; pkg: Candidate; note?: string };
}

const isKernelMember = (m: string) => /(^|\/)boot\/vmlinuz-[^/]+$/.test(m) || /(^|\/)lib\/modules\/[^/]+\/vmlinuz$/.test(m);

/**
 * Resolve a spec to a downloaded, extracted kernel and its own uapi perf_event.h.
 * The answer is remembered (resolved.json) until the private lists are updated again.
 */
export async function fetchKernel(apt: PrivateApt, spec: KernelSpec, debs: string, extract: string): Promise<KernelArtifacts> {
  const memo = path.join(apt.dir, 'resolved.json');
  const stamp = path.join(apt.dir, 'updated.stamp');
  const listsAt = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  let known: { listsAt: number; kernels: Record<string, KernelArtifacts> } = { listsAt, kernels: {} };
  try {
    const j = JSON.parse(fs.readFileSync(memo, 'utf8')) as typeof known;
    if (j.listsAt === listsAt) known = j;
  } catch { /* none yet */ }
  const hit = known.kernels[spec.text];
  if (hit && fs.existsSync(hit.vmlinuz) && fs.existsSync(hit.header.path)) return { ...hit, spec };
  const a = await resolveKernel(apt, spec, debs, extract);
  // Re-read: kernels are fetched one after another, but be tolerant of a concurrent writer.
  try {
    const j = JSON.parse(fs.readFileSync(memo, 'utf8')) as typeof known;
    if (j.listsAt === listsAt) known = j;
  } catch { /* none yet */ }
  known.kernels[spec.text] = a;
  fs.writeFileSync(memo, JSON.stringify(known, null, 1));
  return a;
}

async function resolveKernel(apt: PrivateApt, spec: KernelSpec, debs: string, extract: string): Promise<KernelArtifacts> {
  const suites = suiteFamily(spec.suite);
  const requested = await pickVersion(apt, spec.pkg, suites, spec.version, spec.arch);
  let cur = requested;
  let vmlinuz: string | undefined;
  for (let depth = 0; depth < 4 && !vmlinuz; depth++) {
    // A metapackage or an empty package (sid's linux-image-7.x) depends on the package holding the kernel:
    // follow it without downloading (some metapackages are not even on the security mirror's pool).
    const deps = (await showDepends(apt, cur)).filter((d) => /^linux-(image|binary)-/.test(d) && !/-dbg$/.test(d));
    const next = deps.find((d) => /^linux-binary-(?!unsigned-)/.test(d)) ?? deps.find((d) => /^linux-image-/.test(d)) ?? deps[0];
    if (next) {
      const from = cur;
      cur = await pickVersion(apt, next, [...suites, from.suite], from.version, spec.arch).catch(() => pickVersion(apt, next, [...suites, from.suite], undefined, spec.arch));
      continue;
    }
    const deb = await download(apt, cur, debs);
    const dest = path.join(extract, slug(`${cur.pkg}_${cur.version}`));
    const done = path.join(dest, '.done');
    let files: string[];
    if (fs.existsSync(done)) files = JSON.parse(fs.readFileSync(done, 'utf8')) as string[];
    else {
      files = await extractMembers(deb, dest, isKernelMember);
      fs.mkdirSync(dest, { recursive: true });
      fs.writeFileSync(done, JSON.stringify(files));
    }
    vmlinuz = files.find((f) => fs.existsSync(f) && fs.statSync(f).size > 1_000_000);
    if (!vmlinuz) throw new Error(`${cur.pkg}=${cur.version} holds no kernel image (boot/vmlinuz-* or lib/modules/*/vmlinuz)`);
  }
  if (!vmlinuz) throw new Error(`no kernel image found following ${spec.text}`);
  const release = /vmlinuz-(.+)$/.exec(vmlinuz)?.[1] ?? /modules\/([^/]+)\/vmlinuz$/.exec(vmlinuz)?.[1] ?? cur.pkg;
  const header = await fetchHeader(apt, cur, suites, debs, extract);
  return { spec, requested, imagePackage: cur, vmlinuz, release, header };
}

/** The kernel's own linux-libc-dev (same version as its image), for include/linux/perf_event.h. */
export async function fetchHeader(apt: PrivateApt, image: Candidate, suites: readonly string[], debs: string, extract: string): Promise<KernelArtifacts['header']> {
  // The image's architecture: arm64's header comes from linux-libc-dev:arm64.
  const all = await madison(apt, 'linux-libc-dev', image.arch);
  let pkg = all.find((c) => c.version === image.version);
  let note: string | undefined;
  if (!pkg) {
    // Mirrors keep only recent linux-libc-dev versions: fall back to the newest of the same upstream series.
    const series = image.version.split('.').slice(0, 2).join('.');
    pkg = all.find((c) => c.version.startsWith(`${series}.`) && [...suites, image.suite].includes(c.suite)) ?? all.find((c) => c.version.startsWith(`${series}.`));
    if (!pkg) throw new Error(`no linux-libc-dev for ${image.pkg}=${image.version} (series ${series}) in the private lists`);
    note = `linux-libc-dev ${image.version} is not on the mirror; used ${pkg.version} of the same series`;
  }
  const deb = await download(apt, pkg, debs);
  const dest = path.join(extract, slug(`linux-libc-dev_${pkg.version}${pkg.arch ? `_${pkg.arch}` : ''}`));
  const want = path.join(dest, 'usr', 'include', 'linux', 'perf_event.h');
  if (!fs.existsSync(want)) {
    const files = await extractMembers(deb, dest, (m) => /(^|\/)usr\/include\/linux\/perf_event\.h$/.test(m));
    if (files.length === 0) throw new Error(`${deb} has no usr/include/linux/perf_event.h`);
  }
  const out: KernelArtifacts['header'] = { path: want, pkg };
  if (note) out.note = note;
  return out;
}

/**
 * Build the guest's initramfs with busybox cpio (newc): a cached base archive
 * (busybox, this machine's node and the libraries ldd lists) and a per-run
 * archive (the project's build, its production node_modules and the guest
 * script). The kernel unpacks concatenated newc archives, so the initrd is
 * simply base + project.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { run, which } from './exec';
import type { ForeignUserland } from './userland';
import { stageMitata } from './mitata';

export const GUEST_APP = '/opt/perfcompat';
export const DATA_BEGIN = '@@PERFCOMPAT-BEGIN';
export const DATA_END = '@@PERFCOMPAT-END';
export const UNPRIVILEGED_UID = 65534;

/** A command the guest runs; its stdout goes out on the data port as section `name`. */
export interface GuestCommand {
  name: string;
  /** Run as root, or as the unprivileged user (uid 65534). */
  user: 'root' | 'nobody';
  /** Shell words, run in the project folder. */
  argv: string[];
  timeoutSec: number;
  /** Shell run as root just before the command (e.g. a sysctl: `echo 2 > /proc/sys/kernel/perf_event_paranoid`). */
  setup?: string;
}

/** Shared libraries an ELF needs, as ldd prints them (absolute paths, including the loader). */
export async function lddLibs(binary: string): Promise<string[]> {
  const r = await run(['ldd', binary], { allowFail: true });
  if (/not a dynamic executable|statically linked/.test(r.stdout + r.stderr)) return [];
  if (r.code !== 0) throw new Error(`ldd ${binary}: ${r.stderr.trim()}`);
  const libs: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

function copyFile(src: string, dst: string, mode?: number): void {
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(fs.realpathSync(src), dst);
  fs.chmodSync(dst, mode ?? (fs.statSync(fs.realpathSync(src)).mode & 0o7777));
}

/** Archive everything under dir (relative names) as newc with busybox cpio. */
export async function cpio(busybox: string, dir: string, out: string): Promise<void> {
  const tmp = `${out}.${process.pid}.tmp`;
  await run(['sh', '-c', 'cd "$1" && find . -mindepth 1 | LC_ALL=C sort | "$2" cpio -o -H newc > "$3"', 'sh', dir, busybox, tmp]);
  fs.renameSync(tmp, out);
}

export interface Tools { busybox: string; node: string }

export async function findTools(env: NodeJS.ProcessEnv = process.env): Promise<Tools> {
  const busybox = env.PERFCOMPAT_KERNELS_BUSYBOX ?? (await which('busybox'));
  if (!busybox) throw new Error('busybox not found (apt-get install --no-install-recommends busybox-static)');
  const node = env.PERFCOMPAT_KERNELS_NODE ?? fs.realpathSync(process.execPath);
  return { busybox, node };
}

/** Cached base archives of one kind (`host`, `arm64`): the newest is kept, older ones removed. */
function baseSlot(cacheDir: string, kind: string, key: string): { out: string; have: boolean } {
  const out = path.join(cacheDir, `base-${kind}-${key}.cpio`);
  if (fs.existsSync(out)) return { out, have: true };
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const f of fs.readdirSync(cacheDir)) if (f.startsWith(`base-${kind}-`) && f.endsWith('.cpio')) fs.rmSync(path.join(cacheDir, f)); // one base per kind
  return { out, have: false };
}

function writeAccounts(stage: string): void {
  fs.writeFileSync(path.join(stage, 'etc', 'passwd'), `root:x:0:0:root:/root:/bin/sh\nnobody:x:${UNPRIVILEGED_UID}:${UNPRIVILEGED_UID}:nobody:/tmp:/bin/sh\n`);
  fs.writeFileSync(path.join(stage, 'etc', 'group'), `root:x:0:\nnogroup:x:${UNPRIVILEGED_UID}:\n`);
}

const BASE_DIRS = ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'dev', 'proc', 'sys', 'tmp', 'run', 'root', 'etc', 'opt'];

/**
 * The base archive of a foreign guest: Debian's unpacked node, libraries and
 * busybox for that architecture. Debian's packages put the loader and libraries
 * under usr/lib, so lib is a link to usr/lib, as on a merged-/usr system.
 */
export async function foreignBaseArchive(tools: Tools, u: ForeignUserland, cacheDir: string): Promise<string> {
  const { out, have } = baseSlot(cacheDir, u.arch, `${u.key}-2`);
  if (have) return out;
  const stage = path.join(cacheDir, `base-stage-${u.arch}.${process.pid}`);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  await run(['cp', '-a', `${u.tree}/.`, `${stage}/`]);
  fs.rmSync(path.join(stage, '.done'), { force: true });
  for (const d of BASE_DIRS) fs.mkdirSync(path.join(stage, d), { recursive: true });
  for (const l of ['lib', 'lib64']) {
    if (!fs.existsSync(path.join(stage, l)) && fs.existsSync(path.join(stage, 'usr', l))) fs.symlinkSync(`usr/${l}`, path.join(stage, l));
  }
  if (!fs.existsSync(path.join(stage, 'bin', 'busybox'))) copyFile(u.busybox, path.join(stage, 'bin', 'busybox'), 0o755);
  if (!fs.existsSync(path.join(stage, 'usr', 'bin', 'node'))) fs.symlinkSync('nodejs', path.join(stage, 'usr', 'bin', 'node'));
  writeAccounts(stage);
  await cpio(tools.busybox, stage, out);
  fs.rmSync(stage, { recursive: true, force: true });
  return out;
}

/** The base archive: cached under cacheDir, keyed on node, busybox and their libraries. */
export async function baseArchive(tools: Tools, cacheDir: string): Promise<string> {
  const libs = [...new Set([...(await lddLibs(tools.node)), ...(await lddLibs(tools.busybox))])];
  const h = createHash('sha256');
  for (const f of [tools.node, tools.busybox, ...libs]) {
    const st = fs.statSync(fs.realpathSync(f));
    h.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
  }
  h.update('base-layout-2');
  const { out, have } = baseSlot(cacheDir, 'host', h.digest('hex').slice(0, 16));
  if (have) return out;
  const stage = path.join(cacheDir, `base-stage.${process.pid}`);
  fs.rmSync(stage, { recursive: true, force: true });
  for (const d of BASE_DIRS) fs.mkdirSync(path.join(stage, d), { recursive: true });
  copyFile(tools.busybox, path.join(stage, 'bin', 'busybox'), 0o755);
  copyFile(tools.node, path.join(stage, 'usr', 'bin', 'node'), 0o755);
  for (const lib of libs) copyFile(lib, path.join(stage, lib), 0o755);
  writeAccounts(stage);
  await cpio(tools.busybox, stage, out);
  fs.rmSync(stage, { recursive: true, force: true });
  return out;
}

/** Production dependency folders of the project (npm ls --omit=dev), relative to root. */
export async function productionModules(root: string): Promise<string[]> {
  const r = await run(['npm', 'ls', '--omit=dev', '--parseable', '--all'], { cwd: root, allowFail: true });
  const dirs = r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(root) && l !== root).map((l) => path.relative(root, l));
  if (dirs.length === 0) {
    // npm missing or odd: take the package.json dependencies one level deep.
    const pj = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    return Object.keys(pj.dependencies ?? {}).map((d) => path.join('node_modules', d)).filter((d) => fs.existsSync(path.join(root, d)));
  }
  return dirs;
}

function copyTree(src: string, dst: string): void {
  // Leave out .cache folders inside the tree (not the folders above it: the harness cache holds the foreign koffi).
  fs.cpSync(src, dst, { recursive: true, dereference: true, filter: (s) => !/(^|\/)\.cache(\/|$)/.test(path.relative(src, s)) });
}

/** Where the guest writes its data sections; the console itself silences kernel messages first. */
export function dataPortSetup(dataDevice: string): string {
  return dataDevice === '/dev/console'
    ? 'dmesg -n 1 2>/dev/null'
    : `stty -F ${dataDevice} raw -echo 2>/dev/null`;
}

/** The guest's /init: mounts, console, then the generated command script, then poweroff. */
export function initScript(dataDevice = '/dev/ttyS1'): string {
  return `#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
${dataPortSetup(dataDevice)}
echo "perfcompat guest: $(uname -r), paranoid $(cat /proc/sys/kernel/perf_event_paranoid)"
. /perfcompat/guest.sh
echo "perfcompat guest: done"
poweroff -f
`;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The per-run script: every command's stdout and stderr go out on ttyS1 between markers. */
export function guestScript(cmds: readonly GuestCommand[], guestEnv: Readonly<Record<string, string>> = {}, dataDevice = '/dev/ttyS1'): string {
  const lines = [
    ...Object.entries(guestEnv).map(([k, v]) => `export ${k}=${q(v)}`),
    'emit() { { echo "' + DATA_BEGIN + ' $1"; cat "$2"; echo; echo "' + DATA_END + ' $1 rc=$3 seconds=$4"; } > ' + dataDevice + '; }',
    'up() { read -r u _ < /proc/uptime; echo "$u"; }',
    `cd ${GUEST_APP}`,
    'mkdir -p /tmp/root && export HOME=/tmp/root',
  ];
  for (const c of cmds) {
    const cmd = c.argv.map(q).join(' ');
    const body = c.user === 'root'
      ? `timeout ${c.timeoutSec} ${cmd}`
      : `timeout ${c.timeoutSec} su -s /bin/sh nobody -c ${q(`cd ${GUEST_APP} && HOME=/tmp PATH=/bin:/usr/bin exec ${cmd}`)}`;
    if (c.setup) lines.push(`{ ${c.setup}; } > /tmp/${c.name}.setup 2>&1 || echo "perfcompat guest: ${c.name} setup failed: $(cat /tmp/${c.name}.setup)"`);
    lines.push(
      `t0=$(up); echo "perfcompat guest: ${c.name} at $t0 s"`,
      `${body} > /tmp/${c.name}.out 2> /tmp/${c.name}.err; rc=$?`,
      `t=$(awk "BEGIN{print $(up) - $t0}")`,
      `echo "perfcompat guest: ${c.name} rc=$rc after $t s"`,
      `emit ${c.name} /tmp/${c.name}.out $rc $t`,
      `tail -c 4000 /tmp/${c.name}.err > /tmp/${c.name}.err.tail; emit ${c.name}.stderr /tmp/${c.name}.err.tail $rc $t`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** How a guest differs: its data device and, for a foreign architecture, its userland. */
export interface GuestBuild {
  dataDevice?: string;
  userland?: ForeignUserland;
  guestEnv?: Readonly<Record<string, string>>;
  /** Lay out the mitata consumer project (mitata, the drop-in as @mitata/counters, this build as perfcompat). */
  mitata?: boolean;
}

/** koffi's native packages (one per platform); a foreign guest gets its own from the userland. */
const isKoffiNative = (mod: string) => /(^|\/)node_modules\/@koromix\/koffi-[^/]+$/.test(mod);

/** The per-run archive: /init, /perfcompat/guest.sh and the project's build under GUEST_APP. */
export async function projectArchive(tools: Tools, root: string, cacheDir: string, cmds: readonly GuestCommand[], g: GuestBuild = {}): Promise<string> {
  const tag = `${g.userland?.arch ?? 'host'}.${process.pid}`;
  const stage = path.join(cacheDir, `project-stage.${tag}`);
  fs.rmSync(stage, { recursive: true, force: true });
  const app = path.join(stage, GUEST_APP.slice(1));
  fs.mkdirSync(app, { recursive: true });
  for (const item of ['package.json', 'bin', 'schema', 'dist/src', 'dist/esm', 'dist/probes', 'dist/test/kernels/guest']) {
    if (fs.existsSync(path.join(root, item))) copyTree(path.join(root, item), path.join(app, item));
  }
  if (!fs.existsSync(path.join(root, 'dist', 'src'))) throw new Error(`${root}/dist/src missing: run npm run build first`);
  for (const mod of await productionModules(root)) {
    if (g.userland && isKoffiNative(mod)) continue;
    copyTree(path.join(root, mod), path.join(app, mod));
  }
  if (g.userland) {
    const scope = path.join(g.userland.nodeModules, '@koromix');
    for (const m of fs.existsSync(scope) ? fs.readdirSync(scope) : []) copyTree(path.join(scope, m), path.join(app, 'node_modules', '@koromix', m));
  }
  if (g.mitata) stageMitata(root, app);
  fs.mkdirSync(path.join(stage, 'perfcompat'), { recursive: true });
  fs.writeFileSync(path.join(stage, 'init'), initScript(g.dataDevice), { mode: 0o755 });
  fs.writeFileSync(path.join(stage, 'perfcompat', 'guest.sh'), guestScript(cmds, g.guestEnv, g.dataDevice), { mode: 0o755 });
  const out = path.join(cacheDir, `project.${tag}.cpio`);
  await cpio(tools.busybox, stage, out);
  fs.rmSync(stage, { recursive: true, force: true });
  return out;
}

/** base + project, concatenated into the one file qemu's -initrd takes. */
export async function buildInitrd(tools: Tools, root: string, cacheDir: string, cmds: readonly GuestCommand[], g: GuestBuild = {}): Promise<string> {
  const base = g.userland ? await foreignBaseArchive(tools, g.userland, cacheDir) : await baseArchive(tools, cacheDir);
  const project = await projectArchive(tools, root, cacheDir, cmds, g);
  // Per process and architecture, so two runs sharing a cache do not boot each other's build; the caller removes it.
  const out = path.join(cacheDir, `initrd.${g.userland?.arch ?? 'host'}.${process.pid}.cpio`);
  const fd = fs.openSync(out, 'w');
  try {
    for (const part of [base, project]) fs.writeSync(fd, fs.readFileSync(part));
  } finally { fs.closeSync(fd); }
  fs.rmSync(project, { force: true });
  return out;
}

/** Split the data port's log into sections by marker; CRs are stripped. */
export interface DataSection { body: string; rc: number | null; seconds: number | null }

export function parseDataLog(text: string): Map<string, DataSection> {
  const out = new Map<string, DataSection>();
  const lines = text.replace(/\r/g, '').split('\n');
  let name: string | null = null;
  let body: string[] = [];
  for (const line of lines) {
    if (line.startsWith(`${DATA_BEGIN} `)) { name = line.slice(DATA_BEGIN.length + 1).trim(); body = []; continue; }
    if (name !== null && line.startsWith(`${DATA_END} ${name} `)) {
      const rc = /rc=(\d+)/.exec(line);
      const sec = /seconds=([\d.]+)/.exec(line);
      if (body.length > 0 && body[body.length - 1] === '') body.pop();
      out.set(name, { body: body.join('\n'), rc: rc ? Number(rc[1]) : null, seconds: sec ? Number(sec[1]) : null });
      name = null;
      continue;
    }
    if (name !== null) body.push(line);
  }
  return out;
}

/**
 * The kernel matrix: fetch each kernel, build one initrd, boot every kernel
 * (a few at a time), collect the root and unprivileged capability maps, check
 * them against each kernel's own header, and diff consecutive kernels.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { envInt, harnessPaths, type Arch, type HarnessPaths, type KernelSpec, slug } from './config';
import { fetchKernel, findMirrors, privateApt, updateLists, suiteFamily, type KernelArtifacts, type Mirrors, type PrivateApt } from './apt';
import { buildInitrd, findTools, parseDataLog, type GuestCommand } from './initramfs';
import { accelFor, bootWithRetry, chooseAccel, ensureQemu, type Accel, type BootResult } from './qemu';
import { archProfile } from './arch';
import { fetchUserland, USERLAND_SUITE, type ForeignUserland } from './userland';
import { MITATA_SECTION } from './mitata';
import { pmuGuestCommands, paranoidSection, collectPmu, type PmuRun } from './pmu';
import { checkMapAgainstHeader, parsePerfEventHeader, type CheckResult, type HeaderAbi, type MapLike } from './header';
import { run, tail } from './exec';
import { EXIT } from '../../src/cli/command';

export type Log = (msg: string) => void;

/** The CapabilityMap fields the harness reads (the full shape lives in src/probe/types.ts). */
export interface GuestMap extends MapLike {
  schema?: string;
  kernel: { release: string; version?: string; machine?: string };
  environment?: { paranoid?: number | null; euid?: number };
  features: Record<string, { status: string; errno?: number; errnoName?: string; mainline?: string; anomaly?: string; value?: unknown; reason?: string; measured?: Record<string, unknown> }>;
  durationMs?: number;
}

export interface CommandOutput {
  name: string;
  rc: number | null;
  /** Guest seconds the command took (from /proc/uptime). */
  seconds: number | null;
  stdout: string;
  stderr: string;
  /** Parsed JSON stdout, or undefined when stdout is not JSON. */
  json?: unknown;
}

export interface KernelRun {
  spec: KernelSpec;
  artifacts?: KernelArtifacts;
  boot?: BootResult;
  outputs: Map<string, CommandOutput>;
  guest?: { release: string; version: string; machine: string; paranoid: number | null; euid: number };
  root?: GuestMap;
  user?: GuestMap;
  /** The CLI's answer when it made no map: exit 3, perf_event_open not usable for this caller (e.g. paranoid 3). */
  unusable?: { root?: string; user?: string };
  /** Guests with a hardware PMU (arm64): the unprivileged maps per paranoid level, the PMU checks. */
  pmu?: PmuRun;
  header?: HeaderAbi;
  check?: { root?: CheckResult; user?: CheckResult };
  /** Files of this run (maps, logs) under the cache. */
  dir: string;
  errors: string[];
}

export interface KernelDiff {
  from: string;
  to: string;
  appeared: string[];
  vanished: string[];
  changed: { id: string; from: string; to: string }[];
  /** Output of `probe diff A B --json` on the host, or why it is not there. */
  probeDiff: { available: boolean; rc: number | null; json?: unknown; text: string };
}

export interface MatrixResult {
  skipped?: string;
  accel?: Accel;
  /** Accelerator per guest architecture (a foreign one is always TCG). */
  accels?: Partial<Record<Arch, Accel>>;
  /** The foreign userlands the guests ran (Debian packages), by architecture. */
  userlands?: Partial<Record<Arch, ForeignUserland>>;
  qemuVersion?: string;
  hostNode: string;
  mirrors?: Mirrors;
  kernels: KernelRun[];
  diffs: KernelDiff[];
  totalSeconds: number;
  jobs: number;
  hostCpus?: number;
  /** os.loadavg() when the run started: TCG timings scale with it. */
  hostLoad?: number[];
}

export interface MatrixOptions {
  specs: KernelSpec[];
  env?: NodeJS.ProcessEnv;
  paths?: HarnessPaths;
  log?: Log;
  /** Look up the kind of a feature id (from the ABI catalogue) for the header check. */
  kindOf: (id: string) => string | undefined;
}

/**
 * What each guest runs, in order. An amd64 guest (no PMU under TCG) runs the
 * probe and probe test as root and unprivileged; an arm64 guest (qemu's PMUv3)
 * also the unprivileged probe at each paranoid level and the PMU checks.
 */
export function guestCommands(env: NodeJS.ProcessEnv = process.env, arch: Arch = 'amd64'): GuestCommand[] {
  // Foreign guests run a few times slower under TCG.
  const t = envInt(env, 'PERFCOMPAT_KERNELS_CMD_TIMEOUT', arch === 'amd64' ? 240 : 600);
  // Plain shell (no node start-up, the dearest thing under TCG): proves the guest ran and which kernel it is.
  const uname = 'printf \'{"release":"%s","version":"%s","machine":"%s","paranoid":%s,"euid":%s}\\n\' '
    + '"$(uname -r)" "$(uname -v)" "$(uname -m)" "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo null)" "$(id -u)"';
  const first: GuestCommand = { name: 'uname', user: 'root', argv: ['sh', '-c', uname], timeoutSec: 60 };
  if (arch !== 'amd64') return [first, ...pmuGuestCommands(t)];
  return [
    first,
    { name: 'root.probe', user: 'root', argv: ['node', 'bin/probe.js', '--json'], timeoutSec: t },
    { name: 'user.probe', user: 'nobody', argv: ['node', 'bin/probe.js', '--json'], timeoutSec: t },
    { name: 'root.test', user: 'root', argv: ['node', 'bin/probe.js', 'test', '--json'], timeoutSec: t },
    { name: 'user.test', user: 'nobody', argv: ['node', 'bin/probe.js', 'test', '--json'], timeoutSec: t },
  ];
}

export function tryJson(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try { return JSON.parse(t) as unknown; } catch { return undefined; }
}

export function isMap(x: unknown): x is GuestMap {
  return typeof x === 'object' && x !== null && typeof (x as { features?: unknown }).features === 'object' && typeof (x as { kernel?: unknown }).kernel === 'object';
}

/** Run fn over items, at most n at a time, keeping order. */
async function pool<T, R>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; out[i] = await fn(items[i]!, i); } };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}

/** Fetch every kernel (apt), once the private lists are fresh; a failed download throws. */
export async function fetchAll(specs: readonly KernelSpec[], p: HarnessPaths, env: NodeJS.ProcessEnv, log: Log): Promise<{ mirrors: Mirrors; artifacts: KernelArtifacts[]; apt: PrivateApt }> {
  const mirrors = findMirrors(env);
  // A foreign architecture's lists are fetched only for its kernels' suites and the suite of its userland.
  const foreign: Record<string, string[]> = {};
  for (const s of specs) if (s.arch !== 'amd64') foreign[s.arch] = [...new Set([...(foreign[s.arch] ?? suiteFamily(USERLAND_SUITE)), ...suiteFamily(s.suite)])];
  const apt = privateApt(p.apt, mirrors, specs.flatMap((s) => suiteFamily(s.suite)), foreign);
  const force = env.PERFCOMPAT_KERNELS_REFRESH === '1';
  const maxAge = envInt(env, 'PERFCOMPAT_KERNELS_APT_MAX_AGE_HOURS', 24);
  if (await updateLists(apt, maxAge, force)) log(`apt: updated private lists (${apt.suites.join(' ')})`);
  const fetchOne = async (s: KernelSpec) => {
    const t0 = Date.now();
    try {
      const a = await fetchKernel(apt, s, p.debs, p.extract);
      log(`apt: ${s.text} → ${a.imagePackage.pkg} ${a.imagePackage.version} (${a.release}), header from linux-libc-dev ${a.header.pkg.version} [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
      return a;
    } catch (e) {
      if (force || !/not found in/.test((e as Error).message)) throw e;
      // Cached lists may predate a new upload: refresh once and retry.
      log(`apt: ${s.text}: ${(e as Error).message.split('\n')[0]}; refreshing the lists and retrying`);
      await updateLists(apt, 0, true);
      return fetchKernel(apt, s, p.debs, p.extract);
    }
  };
  const artifacts: KernelArtifacts[] = [];
  for (const s of specs) artifacts.push(await fetchOne(s));
  return { mirrors, artifacts, apt };
}

function collect(r: KernelRun, b: BootResult, cmds: readonly GuestCommand[]): void {
  const sections = parseDataLog(b.data);
  for (const c of cmds) {
    const out = sections.get(c.name);
    if (!out) continue;
    const co: CommandOutput = { name: c.name, rc: out.rc, seconds: out.seconds, stdout: out.body, stderr: sections.get(`${c.name}.stderr`)?.body ?? '' };
    const j = tryJson(out.body);
    if (j !== undefined) co.json = j;
    r.outputs.set(c.name, co);
  }
  const u = r.outputs.get('uname')?.json as KernelRun['guest'] | undefined;
  if (u) r.guest = u;
  else r.errors.push(`guest did not report uname: ${tail(r.outputs.get('uname')?.stderr ?? b.console, 1500)}`);
  if (r.spec.arch !== 'amd64') {
    r.pmu = collectPmu(r.outputs);
    // The unprivileged map of the report and the header check: the one at paranoid 2 (the upstream default).
    const p2 = r.outputs.get(paranoidSection(2));
    if (p2) r.outputs.set('user.probe', p2);
  }
  for (const who of ['root', 'user'] as const) {
    const o = r.outputs.get(`${who}.probe`);
    if (o && isMap(o.json)) {
      r[who] = o.json;
      fs.writeFileSync(path.join(r.dir, `${who}.json`), `${JSON.stringify(o.json, null, 2)}\n`);
    } else if (o && o.rc === EXIT.UNAVAILABLE) {
      // An answer, not a failure: the CLI says perf_event_open is not usable for this caller.
      (r.unusable ??= {})[who] = o.stderr.trim().split('\n').filter(Boolean).pop() ?? 'exit 3';
    } else {
      r.errors.push(`${who}: probe --json gave no capability map (rc=${o?.rc ?? 'none'}): ${tail(o ? `${o.stderr}\n${o.stdout}` : 'no output section', 600)}`);
    }
  }
  if (b.timedOut) r.errors.push(`guest timed out after ${b.seconds.toFixed(0)} s and was killed`);
}

/** Own diff of two maps' statuses (root answers). */
export function statusDiff(a: GuestMap, b: GuestMap): Pick<KernelDiff, 'appeared' | 'vanished' | 'changed'> {
  const appeared: string[] = [];
  const vanished: string[] = [];
  const changed: KernelDiff['changed'] = [];
  const ids = [...new Set([...Object.keys(a.features), ...Object.keys(b.features)])].sort();
  for (const id of ids) {
    const x = a.features[id]?.status ?? 'absent';
    const y = b.features[id]?.status ?? 'absent';
    if (x === y) continue;
    if (y === 'supported') appeared.push(id);
    else if (x === 'supported') vanished.push(id);
    else changed.push({ id, from: x, to: y });
  }
  return { appeared, vanished, changed };
}

async function hostDiff(root: string, a: string, b: string): Promise<KernelDiff['probeDiff']> {
  const r = await run([process.execPath, path.join(root, 'bin', 'probe.js'), 'diff', a, b, '--json'], { cwd: root, allowFail: true, timeoutMs: 60_000 });
  const json = tryJson(r.stdout);
  if (json === undefined) return { available: false, rc: r.code, text: tail(r.stderr || r.stdout, 400) || `exit ${r.code}` };
  return { available: true, rc: r.code, json, text: r.stdout };
}

export async function runMatrix(o: MatrixOptions): Promise<MatrixResult> {
  const env = o.env ?? process.env;
  const p = o.paths ?? harnessPaths(undefined, env);
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const t0 = Date.now();
  const jobs = envInt(env, 'PERFCOMPAT_KERNELS_JOBS', Math.max(1, Math.min(os.cpus().length, 4)));
  const result: MatrixResult = { hostNode: process.version, kernels: [], diffs: [], totalSeconds: 0, jobs, hostCpus: os.cpus().length, hostLoad: os.loadavg() };

  const arches = [...new Set(o.specs.map((s) => s.arch))];
  const q = await ensureQemu(env, arches);
  log(`qemu: ${q.message}`);
  if (!q.qemu) { result.skipped = q.message; return result; }
  const hostAccel = chooseAccel(env);
  result.accels = Object.fromEntries(arches.map((a) => [a, accelFor(a, hostAccel)]));
  result.accel = result.accels[arches[0]!];
  result.qemuVersion = (await run([Object.values(q.qemu)[0]!, '--version'], { allowFail: true })).stdout.split('\n')[0];
  for (const a of arches) log(`qemu: ${a} accel ${result.accels[a]!.name}${result.accels[a]!.why ? ` (${result.accels[a]!.why})` : ''}`);

  const { mirrors, artifacts, apt } = await fetchAll(o.specs, p, env, log);
  result.mirrors = mirrors;

  const tools = await findTools(env);
  // Opt-in: V8 flags for the guest's node that NODE_OPTIONS accepts (e.g. "--jitless"; node refuses --no-opt there).
  const guestEnv: Record<string, string> = env.PERFCOMPAT_KERNELS_NODE_OPTIONS ? { NODE_OPTIONS: env.PERFCOMPAT_KERNELS_NODE_OPTIONS } : {};
  const cmdsOf: Partial<Record<Arch, GuestCommand[]>> = {};
  const initrds: Partial<Record<Arch, string>> = {};
  result.userlands = {};
  const koffiVersion = (JSON.parse(fs.readFileSync(path.join(p.root, 'node_modules', 'koffi', 'package.json'), 'utf8')) as { version: string }).version;

  const defaultTimeout = (a: Arch) => (a === 'amd64' ? 600 : 900);
  try {
    for (const a of arches) {
      const ti = Date.now();
      const prof = archProfile(a);
      const userland = prof.hostUserland ? undefined : await fetchUserland(apt, a, p.debs, p.extract, koffiVersion);
      if (userland) {
        result.userlands[a] = userland;
        log(`userland: ${a}: ${userland.packages.map((c) => `${c.pkg} ${c.version}`).join(', ')}; koffi ${koffiVersion} for ${a} from npm`);
      }
      cmdsOf[a] = guestCommands(env, a);
      const build = { dataDevice: prof.dataDevice, guestEnv, ...(userland ? { userland } : {}), mitata: cmdsOf[a]!.some((c) => c.name === MITATA_SECTION) };
      initrds[a] = await buildInitrd(tools, p.root, p.initramfs, cmdsOf[a]!, build);
      log(`initramfs: ${a}: ${(fs.statSync(initrds[a]!).size / 1e6).toFixed(0)} MB [${((Date.now() - ti) / 1000).toFixed(1)} s]`);
    }
    // Longest guests first (foreign ones run under TCG), so the pool ends sooner; results keep the spec order.
    const order = artifacts.map((a, i) => ({ a, i })).sort((x, y) => Number(y.a.spec.arch !== 'amd64') - Number(x.a.spec.arch !== 'amd64'));
    const runs = await pool(order, jobs, async ({ a, i }) => {
      const arch = a.spec.arch;
      const cmds = cmdsOf[arch]!;
      const dir = path.join(p.results, `${i}-${slug(a.spec.text)}`);
      const r: KernelRun = { spec: a.spec, artifacts: a, outputs: new Map(), dir, errors: [] };
      const timeoutMs = envInt(env, 'PERFCOMPAT_KERNELS_TIMEOUT', defaultTimeout(arch)) * 1000;
      log(`boot: ${a.spec.text} (${a.release}) …`);
      const b = await bootWithRetry({ qemu: q.qemu![arch]!, profile: archProfile(arch), accel: result.accels![arch]!, kernel: a.vmlinuz, initrd: initrds[arch]!, outDir: dir, timeoutMs }, log);
      r.boot = b;
      collect(r, b, cmds);
      log(`boot: ${a.spec.text} (${a.release}) powered off after ${b.seconds.toFixed(1)} s${b.timedOut ? ' (TIMED OUT, killed)' : ''}`);
      try {
        r.header = parsePerfEventHeader(fs.readFileSync(a.header.path, 'utf8'));
        r.check = {};
        if (r.root) r.check.root = checkMapAgainstHeader(r.root, r.header, o.kindOf);
        if (r.user) r.check.user = checkMapAgainstHeader(r.user, r.header, o.kindOf);
      } catch (e) {
        r.errors.push(`header check: ${(e as Error).message}`);
      }
      for (const [level, m] of r.pmu?.user ?? []) {
        if (r.header && isMap(m)) r.pmu!.userCheck.set(level, checkMapAgainstHeader(m, r.header, o.kindOf));
      }
      return { r, i };
    });
    result.kernels = runs.sort((x, y) => x.i - y.i).map((x) => x.r);
  } finally {
    for (const f of Object.values(initrds)) fs.rmSync(f, { force: true });
  }

  for (let i = 1; i < result.kernels.length; i++) {
    const a = result.kernels[i - 1]!;
    const b = result.kernels[i]!;
    // Consecutive kernels of one architecture: a diff across architectures says nothing about kernels.
    if (!a.root || !b.root || a.spec.arch !== b.spec.arch) continue;
    const d: KernelDiff = {
      from: a.root.kernel.release, to: b.root.kernel.release, ...statusDiff(a.root, b.root),
      probeDiff: await hostDiff(p.root, path.join(a.dir, 'root.json'), path.join(b.dir, 'root.json')),
    };
    result.diffs.push(d);
  }
  result.totalSeconds = (Date.now() - t0) / 1000;
  return result;
}

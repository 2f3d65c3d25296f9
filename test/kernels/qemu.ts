/**
 * Boot one kernel + initrd under qemu (qemu-system-x86_64, or
 * qemu-system-aarch64 -M virt for arm64) with a host-side timeout. Console →
 * console.log; data on a second UART → data.log where the machine has one
 * (amd64), else on the console (arm64 virt). Every qemu started here is ended
 * by its pid.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { run, which } from './exec';
import { archProfile, type ArchProfile } from './arch';
import { DATA_BEGIN } from './initramfs';
import type { Arch } from './config';

export interface Accel { name: 'tcg' | 'kvm'; args: string[]; why: string }

/** TCG unless /dev/kvm is ordinary KVM (a nested PVM KVM cannot run stock kernels at usable speed). */
export function chooseAccel(env: NodeJS.ProcessEnv = process.env): Accel {
  const tcg: Accel = { name: 'tcg', args: ['-accel', 'tcg,thread=multi', '-cpu', 'max'], why: '' };
  const kvm: Accel = { name: 'kvm', args: ['-accel', 'kvm', '-cpu', 'host'], why: 'ordinary KVM' };
  const forced = env.PERFCOMPAT_KERNELS_ACCEL;
  if (forced === 'tcg') return { ...tcg, why: 'PERFCOMPAT_KERNELS_ACCEL=tcg' };
  if (forced === 'kvm') return { ...kvm, why: 'PERFCOMPAT_KERNELS_ACCEL=kvm' };
  if (fs.existsSync('/sys/module/kvm_pvm')) return { ...tcg, why: '/dev/kvm is nested PVM KVM' };
  try {
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
    return kvm;
  } catch {
    return { ...tcg, why: 'no usable /dev/kvm' };
  }
}

/** qemu's -cpu for arm64 guests: `max`, with the changes explained in accelFor. */
const ARM64_CPU = 'max,pauth-impdef=on,sve=off,sme=off';

/** The accelerator for a guest: this machine's choice for its own architecture, TCG for a foreign one. */
export function accelFor(arch: Arch, hostAccel: Accel): Accel {
  if (arch === 'amd64') return hostAccel;
  // pauth-impdef: qemu's own pointer-authentication hash instead of QARMA, which TCG emulates slowly.
  // sve=off,sme=off: with SVE in the emulated CPU (qemu 7.2), the guest's node aborted in V8
  // ("Check failed: index < length" in FeedbackMetadata::SetKind, or SIGSEGV) in mitata's run: 6 of
  // 7 runs in one CI run with SVE and SME, 4 of 4 on sid with SME alone off; with both off, none in
  // 7 boots (4 of them in CI), and a boot takes ~25% less. PMUv3 and its 7 counters are the same either way.
  return { name: 'tcg', args: ['-accel', 'tcg,thread=multi', '-cpu', ARM64_CPU], why: `${arch} guest on an ${process.arch} host` };
}

export interface QemuAvailability {
  /** The qemu of each architecture asked for; null when some is missing (then: skip, with message). */
  qemu: Partial<Record<Arch, string>> | null;
  message: string;
}

/** PERFCOMPAT_KERNELS_QEMU (amd64) or PERFCOMPAT_KERNELS_QEMU_ARM64 overrides the qemu of an architecture. */
function qemuOverride(arch: Arch, env: NodeJS.ProcessEnv): string | undefined {
  return arch === 'amd64' ? env.PERFCOMPAT_KERNELS_QEMU : env[`PERFCOMPAT_KERNELS_QEMU_${arch.toUpperCase()}`];
}

async function findQemus(arches: readonly Arch[], env: NodeJS.ProcessEnv): Promise<Partial<Record<Arch, string | null>>> {
  const out: Partial<Record<Arch, string | null>> = {};
  for (const a of arches) out[a] = qemuOverride(a, env) ?? (await which(archProfile(a).qemuBinary));
  return out;
}

/**
 * Find the qemu of every architecture asked for (qemu-system-x86_64,
 * qemu-system-aarch64) and busybox; if missing and we are root with apt,
 * install them (qemu-system-x86, qemu-system-arm, busybox-static; no
 * recommends). Never throws: a null qemu means "skip, with this message".
 */
export async function ensureQemu(env: NodeJS.ProcessEnv = process.env, arches: readonly Arch[] = ['amd64']): Promise<QemuAvailability> {
  let qemus = await findQemus(arches, env);
  let busybox = await which('busybox');
  const missing = () => [...arches.filter((a) => !qemus[a]).map((a) => archProfile(a).qemuBinary), ...(busybox ? [] : ['busybox'])];
  const packages = [...arches.map((a) => archProfile(a).qemuPackage), 'busybox-static'];
  let how = 'using';
  if (missing().length > 0) {
    const canInstall = process.getuid?.() === 0 && env.PERFCOMPAT_KERNELS_NO_INSTALL === undefined && (await which('apt-get')) !== null;
    if (!canInstall) {
      return { qemu: null, message: `kernel matrix skipped: ${missing().join(' ')} not installed and cannot be installed here (need root + apt-get: apt-get install --no-install-recommends ${packages.join(' ')})` };
    }
    try {
      await run(['apt-get', '-q', 'update'], { timeoutMs: 600_000 });
      await run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...packages], {
        timeoutMs: 900_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (e) {
      return { qemu: null, message: `kernel matrix skipped: installing qemu failed: ${(e as Error).message}` };
    }
    qemus = await findQemus(arches, env);
    busybox = await which('busybox');
    if (missing().length > 0) return { qemu: null, message: `kernel matrix skipped: ${missing().join(' ')} still missing after apt-get install` };
    how = 'installed and using';
  }
  const found: Partial<Record<Arch, string>> = {};
  for (const a of arches) {
    const q = qemus[a]!;
    const bad = await notRunnable(q);
    if (bad) return { qemu: null, message: `kernel matrix skipped: ${q} does not run here: ${bad}` };
    found[a] = q;
  }
  return { qemu: found, message: `${how} ${Object.values(found).join(', ')}` };
}

/** A qemu that cannot even print its version (missing libraries, wrong arch) means skip, not fail: why, or null. */
async function notRunnable(qemu: string): Promise<string | null> {
  const r = await run([qemu, '--version'], { allowFail: true, timeoutMs: 30_000 }).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
  return r.code !== 0 ? (r.stderr || r.stdout).trim().split('\n')[0] ?? `exit ${r.code}` : null;
}

export interface BootOptions {
  qemu: string;
  /** The guest's machine, console and data port (default: amd64). */
  profile?: ArchProfile;
  accel: Accel;
  kernel: string;
  initrd: string;
  /** Folder for console.log and data.log (made fresh). */
  outDir: string;
  timeoutMs: number;
  memoryMb?: number;
  append?: string;
}

export interface BootResult {
  /** Boot to power-off (or kill), seconds. */
  seconds: number;
  timedOut: boolean;
  exitCode: number | null;
  signal: string | null;
  console: string;
  data: string;
  consolePath: string;
  dataPath: string;
  argv: string[];
  qemuStderr: string;
}

/** Pids of the qemus running now, so a test's after() hook can end them if a run is interrupted. */
export const livePids = new Set<number>();

export function killAll(): void {
  for (const pid of livePids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

/**
 * Did the guest die before running anything? Under TCG on a busy host an old
 * kernel's IO-APIC timer check can fail ("IO-APIC + timer doesn't work!") even
 * with no_timer_check; such a boot is retried rather than reported.
 */
export function diedEarly(b: BootResult): boolean {
  // The data may share the console (arm64 virt): "nothing ran" is no data section, not an empty file.
  return !b.timedOut && !b.data.includes(DATA_BEGIN) && /Kernel panic/.test(b.console);
}

/** boot(), once more when the guest panicked before it ran anything. */
export async function bootWithRetry(o: BootOptions, log: (m: string) => void, attempts = 2): Promise<BootResult> {
  let b = await boot(o);
  for (let i = 1; i < attempts && diedEarly(b); i++) {
    const why = /Kernel panic[^\n]*/.exec(b.console)?.[0] ?? 'panic';
    log(`boot: ${path.basename(o.outDir)}: guest died early (${why}); retrying`);
    b = await boot(o);
  }
  return b;
}

export function boot(o: BootOptions): Promise<BootResult> {
  fs.rmSync(o.outDir, { recursive: true, force: true });
  fs.mkdirSync(o.outDir, { recursive: true });
  const prof = o.profile ?? archProfile('amd64');
  const consolePath = path.join(o.outDir, 'console.log');
  // One UART (arm64 virt): the data sections come on the console, between their markers.
  const secondPort = prof.dataDevice !== '/dev/console';
  const dataPath = secondPort ? path.join(o.outDir, 'data.log') : consolePath;
  const argv = [
    o.qemu, ...prof.machineArgs, ...o.accel.args,
    '-m', String(o.memoryMb ?? 1024), '-smp', '1',
    '-no-reboot', '-nodefaults', '-display', 'none', '-monitor', 'none',
    '-kernel', o.kernel, '-initrd', o.initrd,
    '-append', o.append ?? prof.append,
    '-serial', `file:${consolePath}`, ...(secondPort ? ['-serial', `file:${dataPath}`] : []),
  ];
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    const pid = child.pid;
    if (pid === undefined) { reject(new Error(`could not start ${o.qemu}`)); return; }
    livePids.add(pid);
    const err: Buffer[] = [];
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, o.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); livePids.delete(pid); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      livePids.delete(pid);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8').replace(/\r/g, '') : '');
      resolve({
        seconds, timedOut, exitCode: code, signal, console: read(consolePath), data: read(dataPath),
        consolePath, dataPath, argv, qemuStderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

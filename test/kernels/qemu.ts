/**
 * Boot one kernel + initrd under qemu-system-x86_64 with a host-side timeout.
 * Console on ttyS0 → console.log, data on ttyS1 → data.log. Every qemu started
 * here is ended by its pid.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { run, which } from './exec';

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

export interface QemuAvailability { qemu: string | null; message: string }

/**
 * Find qemu-system-x86_64 and busybox; if missing and we are root with apt,
 * install them (qemu-system-x86, busybox-static; no recommends). Never throws:
 * a null qemu means "skip, with this message".
 */
export async function ensureQemu(env: NodeJS.ProcessEnv = process.env): Promise<QemuAvailability> {
  let qemu = env.PERFCOMPAT_KERNELS_QEMU ?? (await which('qemu-system-x86_64'));
  let busybox = await which('busybox');
  if (qemu && busybox) return runnable(qemu, `using ${qemu}`);
  const canInstall = process.getuid?.() === 0 && env.PERFCOMPAT_KERNELS_NO_INSTALL === undefined && (await which('apt-get')) !== null;
  if (!canInstall) {
    return { qemu: null, message: `kernel matrix skipped: ${qemu ? '' : 'qemu-system-x86_64 '}${busybox ? '' : 'busybox '}not installed and cannot be installed here (need root + apt-get: apt-get install --no-install-recommends qemu-system-x86 busybox-static)` };
  }
  try {
    await run(['apt-get', '-q', 'update'], { timeoutMs: 600_000 });
    await run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'qemu-system-x86', 'busybox-static'], {
      timeoutMs: 900_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (e) {
    return { qemu: null, message: `kernel matrix skipped: installing qemu failed: ${(e as Error).message}` };
  }
  qemu = await which('qemu-system-x86_64');
  busybox = await which('busybox');
  if (!qemu || !busybox) return { qemu: null, message: 'kernel matrix skipped: qemu-system-x86_64/busybox still missing after apt-get install' };
  return runnable(qemu, `installed and using ${qemu}`);
}

/** A qemu that cannot even print its version (missing libraries, wrong arch) means skip, not fail. */
async function runnable(qemu: string, message: string): Promise<QemuAvailability> {
  const r = await run([qemu, '--version'], { allowFail: true, timeoutMs: 30_000 }).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
  if (r.code !== 0) return { qemu: null, message: `kernel matrix skipped: ${qemu} does not run here: ${(r.stderr || r.stdout).trim().split('\n')[0]}` };
  return { qemu, message };
}

export interface BootOptions {
  qemu: string;
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
  return !b.timedOut && b.data.trim() === '' && /Kernel panic/.test(b.console);
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
  const consolePath = path.join(o.outDir, 'console.log');
  const dataPath = path.join(o.outDir, 'data.log');
  const argv = [
    o.qemu, ...o.accel.args,
    '-m', String(o.memoryMb ?? 1024), '-smp', '1',
    '-no-reboot', '-nodefaults', '-display', 'none', '-monitor', 'none',
    '-kernel', o.kernel, '-initrd', o.initrd,
    '-append', o.append ?? 'console=ttyS0 panic=-1 quiet loglevel=4 nokaslr no_timer_check',
    '-serial', `file:${consolePath}`, '-serial', `file:${dataPath}`,
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

/**
 * The guest runs of a kernel with a hardware PMU (arm64 under qemu, PMUv3):
 * the unprivileged probe at each perf_event_paranoid level, probe test,
 * probe stat with hardware events, mmap.cap_user_rdpmc with
 * kernel.perf_user_access 0 and 1, and the public-API checks of
 * guest/pmu-check.ts. Here: the commands, and their outputs gathered.
 */
import type { GuestCommand } from './initramfs';
import { mitataCommand, MITATA_ALL_CRASHED, MITATA_CRASHED, MITATA_SECTION, type MitataRun } from './mitata';
import type { CheckResult } from './header';
import type { CommandOutput, GuestMap } from './matrix';

/** Paranoid levels the unprivileged probe runs at, most restrictive first. */
export const PARANOID_LEVELS = [2, 1, 0, -1] as const;

/** Section name of the unprivileged probe at a paranoid level (shell- and file-name safe). */
export function paranoidSection(level: number): string {
  return `user.probe.p${level < 0 ? `m${-level}` : level}`;
}

const PARANOID = '/proc/sys/kernel/perf_event_paranoid';
const USER_ACCESS = '/proc/sys/kernel/perf_user_access';

/** Hardware events for probe stat: the generic ones a user asks for first. */
export const STAT_EVENTS = 'cycles,instructions,task-clock';

/** A command of known work for probe stat (busybox sh, no node start-up). */
export const STAT_WORK = 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done';

export function pmuGuestCommands(t: number): GuestCommand[] {
  const probe = ['node', 'bin/probe.js'];
  const cmds: GuestCommand[] = [
    // The kernel's default paranoid, as booted (printed by uname); root does not depend on it.
    { name: 'root.probe', user: 'root', argv: [...probe, '--json', '--refresh'], timeoutSec: t },
    { name: 'root.pmu', user: 'root', argv: ['node', 'dist/test/kernels/guest/pmu-check.js'], timeoutSec: t },
    { name: 'root.test', user: 'root', argv: [...probe, 'test', '--json'], timeoutSec: t },
    { name: 'root.stat', user: 'root', argv: [...probe, 'stat', '--no-color', '-e', STAT_EVENTS, '--', 'sh', '-c', STAT_WORK], timeoutSec: t },
    mitataCommand(t),
  ];
  for (const level of PARANOID_LEVELS) {
    cmds.push({ name: paranoidSection(level), user: 'nobody', setup: `echo ${level} > ${PARANOID}`, argv: [...probe, '--json', '--refresh'], timeoutSec: t });
  }
  // At paranoid 2, the upstream default and the strictest level that lets a user count its own tasks.
  cmds.push({ name: 'user.test', user: 'nobody', setup: `echo 2 > ${PARANOID}`, argv: [...probe, 'test', '--json'], timeoutSec: t });
  for (const v of [0, 1]) {
    cmds.push({ name: `root.rdpmc${v}`, user: 'root', setup: `echo ${v} > ${USER_ACCESS}`, argv: [...probe, '--json', '--refresh', '--only', 'mmap.*'], timeoutSec: t });
  }
  // EventSet.read() from user space (mrs) against read() of the same cycles event.
  cmds.push({ name: 'root.userread', user: 'root', setup: `echo 1 > ${USER_ACCESS}`, argv: ['node', 'dist/test/kernels/guest/user-read-check.js'], timeoutSec: t });
  return cmds;
}

/** What guest/pmu-check.ts prints (the fields the harness reads). */
export interface PmuCheck {
  pid: number;
  kernel: {
    pmus: { name: string; type: number; format?: Record<string, string | null>; events?: string[]; cpus?: string | null }[];
    dmesg: string[];
    counters: number | null;
    perfUserAccess: string | null;
    paranoid: string | null;
  };
  opens: Record<string, { name?: string; substitutedFrom?: string; error?: string }>;
  work: { rounds: number; value?: number; timeEnabled?: number; timeRunning?: number; error?: string }[];
  eventSets: ({ n: number; size: number; groups: number; splits: string[]; readPath: string; lone: number[];
    values: { value: number; timeEnabled: number; timeRunning: number; scaled: number; multiplexed: boolean; counted: boolean; group: number }[] } | { error: string })[];
  separate: ({ n: number; lone: number[]; values: { value: number; timeEnabled: number; timeRunning: number; scaled: number; multiplexed: boolean }[];
    pinned: { value: number; timeEnabled: number; timeRunning: number; pinned: unknown } } | { error: string })[];
  sampler: { samples: number; records: number; lost: number; ownPid: number; inText: number; kernel: number; exactIp: number; byMapping: Record<string, number>; period: number; periods: string[]; adaptations: string[] } | { error: string };
}

export interface PmuRun {
  /** Unprivileged answers per paranoid level: a map, or the CLI's "not usable" line, or undefined (no output). */
  user: Map<number, GuestMap | string | undefined>;
  userCheck: Map<number, CheckResult>;
  check?: PmuCheck;
  /** mmap.* maps at perf_user_access 0 and 1. */
  rdpmc: Map<number, GuestMap | undefined>;
  stat?: CommandOutput;
  /** guest/user-read-check.ts at perf_user_access 1. */
  userRead?: UserReadCheck;
  /** mitata's run() with the drop-in as @mitata/counters (guest/mitata-bench.mjs). */
  mitata?: MitataRun;
  /** Set when node died by a signal in every mitata run (V8 aborting under qemu TCG): the line that says so. */
  mitataCrashed?: string;
  /** Things the run went through that the tests print (a guest program that crashed once and ran again). */
  notes?: string[];
  errors: string[];
}

/** What guest/user-read-check.ts prints. */
export interface UserReadCheck {
  perfUserAccess: string | null;
  paths?: { event: string; path: string; reason: string }[];
  stats?: { user: number; syscall: number; lastRefusal?: string };
  triples?: { user1: number; syscall: number; user2: number }[];
  nsUser?: number;
  nsSyscall?: number;
  error?: string;
}

function asMap(o: CommandOutput | undefined): GuestMap | undefined {
  const j = o?.json as GuestMap | undefined;
  return j && typeof j.features === 'object' && typeof j.kernel === 'object' ? j : undefined;
}

export function collectPmu(outputs: ReadonlyMap<string, CommandOutput>): PmuRun {
  const run: PmuRun = { user: new Map(), userCheck: new Map(), rdpmc: new Map(), errors: [] };
  for (const level of PARANOID_LEVELS) {
    const o = outputs.get(paranoidSection(level));
    const m = asMap(o);
    run.user.set(level, m ?? (o && o.rc === 3 ? o.stderr.trim().split('\n').filter(Boolean).pop() ?? 'exit 3' : undefined));
    if (!m && !(o && o.rc === 3)) run.errors.push(`unprivileged probe at paranoid ${level}: no map (rc=${o?.rc ?? 'none'}): ${(o?.stderr ?? 'no output').slice(-300)}`);
  }
  for (const v of [0, 1]) run.rdpmc.set(v, asMap(outputs.get(`root.rdpmc${v}`)));
  const c = outputs.get('root.pmu');
  if (c?.json && typeof c.json === 'object') run.check = c.json as PmuCheck;
  else run.errors.push(`pmu-check gave no JSON (rc=${c?.rc ?? 'none'}): ${(c?.stderr ?? 'no output').slice(-600)}`);
  const ur = outputs.get('root.userread');
  if (ur?.json && typeof ur.json === 'object') run.userRead = ur.json as UserReadCheck;
  else run.errors.push(`user-read-check gave no JSON (rc=${ur?.rc ?? 'none'}): ${(ur?.stderr ?? 'no output').slice(-600)}`);
  const mi = outputs.get(MITATA_SECTION);
  const crashes = (mi?.stderr ?? '').split('\n').filter((l) => l.includes(MITATA_CRASHED));
  if (crashes.length > 0) run.notes = [...(run.notes ?? []), ...crashes];
  const allCrashed = (mi?.stderr ?? '').split('\n').find((l) => l.includes(MITATA_ALL_CRASHED));
  if (mi?.json && typeof mi.json === 'object') run.mitata = mi.json as MitataRun;
  else if (allCrashed) run.mitataCrashed = allCrashed;
  else run.errors.push(`mitata benchmark gave no JSON (rc=${mi?.rc ?? 'none'}): ${(mi?.stderr ?? 'no output').slice(-600)}`);
  const st = outputs.get('root.stat');
  if (st) run.stat = st;
  return run;
}

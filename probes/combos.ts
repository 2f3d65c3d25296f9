/**
 * Combinations users trip over, where the kernel's answer depends on more than
 * one field: inherit with PERF_FORMAT_GROUP, inherit with PERF_SAMPLE_READ,
 * sigtrap without remove_on_exec, exclude_guest/exclude_host on hardware,
 * the highest precise_ip that opens, each clockid, aux_output in an AUX
 * group, a hardware leader with a software member, and the largest group the
 * PMU actually runs — found by running it (enable → work → read:
 * time_running > 0), because an unschedulable group opens fine.
 */
import { CLOCK_IDS, PERF_FORMAT, PERF_SAMPLE } from '../src/abi/constants';
import { errnoName } from '../src/abi/errno';
import { PERF_IOC_FLAG_GROUP } from '../src/abi/ioctl';
import { decodeRead, readSize } from '../src/abi/read-format';
import { BASES } from '../src/probe/contract';
import { isTransient } from '../src/model/errno-class';
import type { ProbeContext, ProbeDeclaration } from '../src/probe/contract';
import { isErr } from '../src/sys/kernel';
import type { FeatureEntry } from '../src/model/capability-map';

const SAMPLE_READ = PERF_SAMPLE.READ!;
const SAMPLE_TID = PERF_SAMPLE.TID!;

function preciseIpHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return ctx.withBase('hardware-sampling', (base, label) => {
    const refusals: Record<string, string> = {};
    for (let level = 3; level >= 1; level--) {
      const r = ctx.open({ ...base.attr, precise_ip: level });
      if (!isErr(r)) {
        ctx.close(r.fd);
        return { status: 'supported', value: level, base: label, set: { precise_ip: level }, measured: refusals };
      }
      if (isTransient(r.errno)) return ctx.refused(decl, r.errno, base, { precise_ip: level });
      refusals[`precise_ip=${level}`] = errnoName(r.errno);
    }
    return { status: 'no-hardware', value: 0, base: label, measured: refusals, reason: 'no precise_ip level above 0 opens on this PMU (no PEBS/IBS/SPE-style precise sampling)' };
  });
}

const AUX_PMU = /^(intel_pt|arm_spe(_\d+)?|cs_etm)$/;

function auxOutputHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  const aux = ctx.env.pmus.find((p) => AUX_PMU.test(p.name));
  if (!aux) return { status: 'untestable', reason: 'no PMU with an AUX area here (intel_pt, arm_spe, cs_etm) to lead the group' };
  const leaderAttr = { type: aux.type, config: 0, disabled: 1, exclude_kernel: 1, exclude_hv: 1 };
  const label = `${aux.name} leader + hardware/cpu-cycles aux_output`;
  const leaderRefused = { reason: (en: string) => `the AUX leader ${aux.name} does not open (${en})` };
  return ctx.withOpened(leaderAttr, `${aux.name}/config=0/`, (leader) => ctx.withBase('hardware-sampling', (base) => {
    const member = ctx.open({ ...base.attr, aux_output: 1, disabled: 0 }, { groupFd: leader });
    if (!isErr(member)) return { status: 'supported', base: label, set: { aux_output: 1 } };
    return { ...ctx.refused(decl, member.errno, base, { aux_output: 1 }), base: label };
  }), leaderRefused);
}

function hwSwGroupHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  const label = 'hardware/cpu-cycles leader + software/cpu-clock member';
  return ctx.withBase('hardware', (base) => {
    const leader = ctx.open(base.attr);
    if (isErr(leader)) return ctx.refused(decl, leader.errno, base);
    const member = ctx.open({ ...BASES.counting, disabled: 0 }, { groupFd: leader.fd });
    if (!isErr(member)) return { status: 'supported', base: label };
    return { ...ctx.refused(decl, member.errno, base), base: label };
  }, { answerBase: label });
}

const MAX_GROUP = 12;
const GROUP_FORMAT = PERF_FORMAT.GROUP | PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;

/** A known amount of work on this thread, for counters to count. */
function work(): number {
  let x = 0;
  for (let i = 0; i < 300_000; i++) x = (x * 31 + i) | 0;
  return x;
}

/** Open a group of n hardware events, run it, and say whether it ran. */
function runGroup(ctx: ProbeContext, n: number): { ran: boolean; errno?: number; timeRunning?: bigint } {
  const fds: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const attr = { ...BASES.hardware, config: i % 2, read_format: GROUP_FORMAT, disabled: i === 0 ? 1 : 0 };
      const r = ctx.open(attr, { groupFd: i === 0 ? -1 : fds[0] });
      if (isErr(r)) return { ran: false, errno: r.errno };
      fds.push(r.fd);
    }
    const en = ctx.ioctl(fds[0], 'enable', PERF_IOC_FLAG_GROUP);
    if (isErr(en)) return { ran: false, errno: en.errno };
    work();
    ctx.ioctl(fds[0], 'disable', PERF_IOC_FLAG_GROUP);
    const size = readSize(GROUP_FORMAT, n);
    const buf = new Uint8Array(size);
    const got = ctx.kernel.read(fds[0], buf);
    if (isErr(got)) return { ran: false, errno: got.errno };
    if (got.bytes === 0) return { ran: false, timeRunning: 0n };
    const res = decodeRead(buf, GROUP_FORMAT, got.bytes);
    const running = res.timeRunning ?? 0n;
    return { ran: running > 0n && res.values.every((v) => v.value > 0n), timeRunning: running };
  } finally {
    if (fds.length > 0) ctx.ioctl(fds[0], 'disable', PERF_IOC_FLAG_GROUP);
    for (const fd of fds.reverse()) ctx.close(fd);
  }
}

function schedulabilityHook(ctx: ProbeContext): FeatureEntry {
  return ctx.withBase('hardware', (_base, label) => largestRunningGroup(ctx, label));
}

function largestRunningGroup(ctx: ProbeContext, label: string): FeatureEntry {
  let largest = 0;
  const measured: Record<string, string | number> = {};
  for (let n = 1; n <= MAX_GROUP; n++) {
    const r = runGroup(ctx, n);
    if (!r.ran && r.errno !== undefined && isTransient(r.errno)) {
      return { status: 'error', errno: r.errno, errnoName: errnoName(r.errno), base: label, measured: { groupSize: n }, reason: `${errnoName(r.errno)} while running a group of ${n}: a fault of the moment` };
    }
    if (!r.ran) {
      measured.firstNotRunning = n;
      if (r.errno !== undefined) measured.errnoName = errnoName(r.errno);
      else measured.timeRunning = Number(r.timeRunning ?? 0n);
      break;
    }
    largest = n;
  }
  if (largest === 0) {
    return { status: 'broken', value: 0, base: label, measured, reason: 'a one-event hardware group opens but does not run (time_running 0 or zero counts): a counter held elsewhere (NMI watchdog?) or a virtual PMU' };
  }
  return {
    status: 'supported', value: largest, base: label, measured,
    reason: largest === MAX_GROUP ? `groups of up to ${MAX_GROUP} events ran` : `a group of ${largest + 1} opens but does not run`,
  };
}

export const comboProbes: ProbeDeclaration[] = [
  {
    id: 'combo.inherit_group_read', base: 'counting', set: { inherit: 1, read_format: PERF_FORMAT.GROUP }, needs: ['attr.inherit'],
    description: 'inherit together with PERF_FORMAT_GROUP (read a whole inherited group at once)',
  },
  {
    id: 'combo.inherit_sample_read', base: 'sampling', set: { inherit: 1, sample_type: SAMPLE_READ | SAMPLE_TID }, needs: ['attr.inherit'],
    description: 'inherit together with PERF_SAMPLE_READ in sampling mode',
  },
  {
    id: 'combo.sigtrap_without_remove_on_exec', base: 'counting', set: { sigtrap: 1 }, needs: ['attr.sigtrap'],
    description: 'sigtrap without remove_on_exec (the kernel requires both)',
    note: 'the kernel requires remove_on_exec with sigtrap; the shim always sets both',
  },
  { id: 'combo.exclude_guest', base: 'hardware', set: { exclude_guest: 1 }, description: 'exclude_guest on this PMU' },
  { id: 'combo.exclude_host', base: 'hardware', set: { exclude_host: 1 }, description: 'exclude_host on this PMU' },
  {
    id: 'combo.precise_ip', base: 'hardware-sampling', hook: preciseIpHook,
    description: 'highest precise_ip (skid constraint) level that opens',
  },
  ...CLOCK_IDS.map((c): ProbeDeclaration => ({
    id: `combo.clockid.${c.name}`, base: 'counting', set: { use_clockid: 1, clockid: c.value }, needs: ['attr.use_clockid'],
    description: `use_clockid with CLOCK_${c.name.toUpperCase()} for sample timestamps`,
  })),
  {
    id: 'combo.aux_output', base: 'hardware-sampling', hook: auxOutputHook,
    description: 'aux_output: a group leader with an AUX event feeding records',
  },
  { id: 'combo.hw_sw_group', base: 'hardware', hook: hwSwGroupHook, description: 'a software event in a hardware-led group' },
  {
    id: 'combo.group_schedulability', base: 'hardware', hook: schedulabilityHook,
    description: 'largest event group that is actually scheduled and counts',
  },
];

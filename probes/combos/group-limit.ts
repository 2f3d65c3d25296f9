/**
 * combo.group_schedulability: the largest group of hardware events the PMU
 * actually runs, found by running it (enable → work → read: time_running > 0),
 * because an unschedulable group may open fine.
 *
 * Measured per counter class with ONE event that opens, repeated: first
 * cycles (the base's event), then the first other generalised event that
 * opens. Mixing events (cycles, instructions, …) would let counters only some
 * events may use — x86's fixed counters (arch/x86/events/intel/core.c,
 * intel_pmu_init: INTEL_PMC_IDX_FIXED for instructions, cycles, ref-cycles),
 * arm's cycle counter (drivers/perf/arm_pmuv3.c, armv8pmu_get_event_idx) —
 * absorb members and overstate the limit for general-purpose events (about
 * GP+2), and an event that does not exist here (ENOENT at open) would be read
 * as a group that does not run. The value is the cycles-class limit; the
 * general-purpose limit (`measured.generalPurpose`) is what any other event
 * gets, and what EventSet uses for them.
 *
 * A group stops growing at the first size the kernel refuses at open
 * (validate_group: x86 validate_group / schedule_events on a fake cpuc,
 * arm_pmu validate_group on a fake used_mask) or that opens but never runs
 * (time_running 0: a counter held elsewhere, e.g. the NMI watchdog); the
 * reason says which.
 */
import { errnoName } from '../../src/abi/errno';
import { PERF_FORMAT } from '../../src/abi/constants';
import { PERF_IOC_FLAG_GROUP } from '../../src/abi/ioctl';
import { HW_EVENTS } from '../../src/abi/constants';
import { decodeRead, readSize } from '../../src/abi/read-format';
import { isTransient } from '../../src/model/errno-class';
import type { AttrInput } from '../../src/abi/attr-codec';
import type { ProbeContext, ResolvedBase } from '../../src/probe/contract';
import type { Workload } from '../../src/probe/behaviour-types';
import { isErr } from '../../src/sys/kernel';
import { corePmuOfEvent, corePmus } from '../../src/env/core-pmu';
import type { FeatureEntry } from '../../src/model/capability-map';

const MAX_GROUP = 12;
const GROUP_FORMAT = PERF_FORMAT.GROUP | PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING;

/** Generalised events tried for the general-purpose class, in order: none has an x86 fixed counter or arm's cycle counter. */
export const GENERAL_PURPOSE_EVENTS = ['branch_instructions', 'branch_misses', 'cache_references', 'cache_misses', 'stalled_cycles_frontend', 'stalled_cycles_backend', 'bus_cycles'] as const;

/** A known amount of work on this thread, for counters to count (a stand-in kernel's own workload where it has one). */
function work(ctx: ProbeContext): number {
  const own = (ctx.kernel as { workload?: Workload }).workload;
  if (own) return own.run({ cpu_ms: 1 }).cpuNs;
  let x = 0;
  for (let i = 0; i < 300_000; i++) x = (x * 31 + i) | 0;
  return x;
}

type Run =
  | { kind: 'ran' }
  | { kind: 'refused'; errno: number; at: number }
  | { kind: 'stuck'; timeRunning: bigint; zero: boolean };

/** Open a group of n copies of `config`, run it, and say whether it ran (a refused open says which member). */
function runGroup(ctx: ProbeContext, attr: AttrInput, config: bigint, n: number, needCounts: boolean): Run {
  const fds: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      // Every member, the leader too, opened enabled: validate_group then counts them all (arm_pmu's validate_event skips
      // an OFF event, so a group under a disabled leader would open one too large and never run).
      const r = ctx.open({ ...attr, config, read_format: GROUP_FORMAT, disabled: 0 }, { groupFd: i === 0 ? -1 : fds[0] });
      if (isErr(r)) return { kind: 'refused', errno: r.errno, at: i + 1 };
      fds.push(r.fd);
    }
    // The leader ran alone before its members joined: only what the whole group gains from here counts.
    ctx.ioctl(fds[0]!, 'disable', PERF_IOC_FLAG_GROUP);
    const buf = new Uint8Array(readSize(GROUP_FORMAT, n));
    const first = ctx.kernel.read(fds[0]!, buf);
    if (isErr(first)) return { kind: 'refused', errno: first.errno, at: 1 };
    const before = first.bytes === 0 ? undefined : decodeRead(buf, GROUP_FORMAT, first.bytes);
    const en = ctx.ioctl(fds[0]!, 'enable', PERF_IOC_FLAG_GROUP);
    if (isErr(en)) return { kind: 'refused', errno: en.errno, at: 1 };
    work(ctx);
    ctx.ioctl(fds[0]!, 'disable', PERF_IOC_FLAG_GROUP);
    const got = ctx.kernel.read(fds[0]!, buf);
    if (isErr(got)) return { kind: 'refused', errno: got.errno, at: 1 };
    if (got.bytes === 0 || !before) return { kind: 'stuck', timeRunning: 0n, zero: false };
    const res = decodeRead(buf, GROUP_FORMAT, got.bytes);
    const running = (res.timeRunning ?? 0n) - (before.timeRunning ?? 0n);
    if (running <= 0n) return { kind: 'stuck', timeRunning: running, zero: false };
    // Cycles count with any work: a group on the PMU that counts zeros is not running either (a virtual PMU).
    if (needCounts && !res.values.every((v, i) => v.value > (before.values[i]?.value ?? 0n))) return { kind: 'stuck', timeRunning: running, zero: true };
    return { kind: 'ran' };
  } finally {
    if (fds.length > 0) ctx.ioctl(fds[0]!, 'disable', PERF_IOC_FLAG_GROUP);
    for (const fd of fds.reverse()) ctx.close(fd);
  }
}

interface ClassLimit { event: string; limit: number; stop: string; transient?: number }

/** The largest group of `event` repeated that runs; stop says why the next size does not. */
function classLimit(ctx: ProbeContext, attr: AttrInput, event: string, needCounts: boolean): ClassLimit {
  // The base's extended PMU type (the upper 32 bits of config, hybrid) is kept.
  const config = (BigInt(attr.config ?? 0) & ~0xffffffffn) | BigInt(HW_EVENTS.find((e) => e.name === event)!.value);
  const label = event.replace(/_/g, '-');
  for (let n = 1; n <= MAX_GROUP; n++) {
    const r = runGroup(ctx, attr, config, n, needCounts);
    if (r.kind === 'ran') continue;
    const limit = n - 1;
    if (r.kind === 'refused') {
      if (isTransient(r.errno)) return { event, limit, stop: `${errnoName(r.errno)} at a group of ${n}`, transient: r.errno };
      const stop = n === 1
        ? `${label} does not open here (${errnoName(r.errno)})`
        : `${n} are refused at open (${errnoName(r.errno)} on member ${r.at}: validate_group finds no counter for it)`;
      return { event, limit, stop };
    }
    const stop = r.zero
      ? `${n} run but count 0`
      : `a group of ${n} opens but never runs (time_running ${r.timeRunning}: a counter held elsewhere, e.g. by the NMI watchdog)`;
    return { event, limit, stop };
  }
  return { event, limit: MAX_GROUP, stop: `${MAX_GROUP} is the largest group tried` };
}

/** Say which core PMU the generic base landed on, and that the others went unmeasured (a hybrid CPU). */
function onPmu(ctx: ProbeContext, e: FeatureEntry, attr: { type?: number | bigint; config?: number | bigint }): FeatureEntry {
  const pmu = corePmuOfEvent(Number(attr.type ?? 0), attr.config, ctx.env.pmus);
  if (!pmu) return e;
  const others = corePmus(ctx.env.pmus).filter((p) => p !== pmu).map((p) => p.name);
  return { ...e, measured: { ...e.measured, pmu: pmu.name }, reason: `${e.reason ?? ''}${e.reason ? '; ' : ''}measured on ${pmu.name}${others.length > 0 ? ` only, not on ${others.join(', ')}` : ''}` };
}

export function schedulabilityHook(ctx: ProbeContext): FeatureEntry {
  return ctx.withBase('hardware', (base, label) => onPmu(ctx, groupLimit(ctx, base, label), base.attr));
}

function groupLimit(ctx: ProbeContext, base: ResolvedBase, label: string): FeatureEntry {
  const cycles = classLimit(ctx, base.attr, 'cpu_cycles', true);
  const measured: Record<string, string | number> = { cycles: cycles.limit, cyclesStop: cycles.stop };
  if (cycles.transient !== undefined) {
    return { status: 'error', errno: cycles.transient, errnoName: errnoName(cycles.transient), base: label, measured, reason: `${cycles.stop}: a fault of the moment` };
  }
  if (cycles.limit === 0) {
    return { status: 'broken', value: 0, base: label, measured, reason: `not even one cycles event runs: ${cycles.stop} (a virtual PMU, or its counters held elsewhere)` };
  }
  // The general-purpose class: the first other event that opens alone (time_running decides; it may count 0 under an emulator).
  let gp: ClassLimit | undefined;
  for (const event of GENERAL_PURPOSE_EVENTS) {
    const c = classLimit(ctx, base.attr, event, false);
    if (c.transient !== undefined) {
      return { status: 'error', errno: c.transient, errnoName: errnoName(c.transient), base: label, measured, reason: `${c.stop}: a fault of the moment` };
    }
    if (c.limit > 0) { gp = c; break; }
  }
  let reason = `${cycles.limit} cycles-class events run in one group; ${cycles.stop}`;
  if (gp) {
    const name = gp.event.replace(/_/g, '-');
    measured.generalPurpose = Math.min(gp.limit, cycles.limit);
    measured.generalPurposeEvent = name;
    measured.generalPurposeStop = gp.stop;
    reason += gp.limit < cycles.limit
      ? `. Other events get ${gp.limit} (general-purpose counters, measured with ${name}; ${gp.stop}): cycles may also use ${cycles.limit - gp.limit} counter(s) no other event may`
      : `. ${name} too: ${gp.limit} (${gp.stop})`;
  } else {
    reason += '. No other generalised hardware event opens here: no general-purpose limit was measured';
  }
  return { status: 'supported', value: cycles.limit, base: label, measured, reason };
}

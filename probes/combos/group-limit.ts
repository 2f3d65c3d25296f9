/**
 * combo.group_schedulability: the largest group of hardware events the PMU
 * actually runs, found by running it (enable → work → read: time_running > 0),
 * because an unschedulable group opens fine.
 */
import { errnoName } from '../../src/abi/errno';
import { PERF_FORMAT } from '../../src/abi/constants';
import { PERF_IOC_FLAG_GROUP } from '../../src/abi/ioctl';
import { decodeRead, readSize } from '../../src/abi/read-format';
import { BASES } from '../../src/probe/contract';
import { isTransient } from '../../src/model/errno-class';
import type { ProbeContext } from '../../src/probe/contract';
import { isErr } from '../../src/sys/kernel';
import { corePmuOfEvent, corePmus } from '../../src/env/core-pmu';
import type { FeatureEntry } from '../../src/model/capability-map';

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

export function schedulabilityHook(ctx: ProbeContext): FeatureEntry {
  return ctx.withBase('hardware', (base, label) => onPmu(ctx, largestRunningGroup(ctx, label), base.attr));
}

/** Say which core PMU the generic base landed on, and that the others went unmeasured (a hybrid CPU). */
function onPmu(ctx: ProbeContext, e: FeatureEntry, attr: { type?: number | bigint; config?: number | bigint }): FeatureEntry {
  const pmu = corePmuOfEvent(Number(attr.type ?? 0), attr.config, ctx.env.pmus);
  if (!pmu) return e;
  const others = corePmus(ctx.env.pmus).filter((p) => p !== pmu).map((p) => p.name);
  return { ...e, measured: { ...e.measured, pmu: pmu.name }, reason: `${e.reason ?? ''}${e.reason ? '; ' : ''}measured on ${pmu.name}${others.length > 0 ? ` only, not on ${others.join(', ')}` : ''}` };
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

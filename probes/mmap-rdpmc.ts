/**
 * mmap.cap_user_rdpmc: can this task read a hardware counter from user space
 * (rdpmc, or the arm64 counter registers)? Asked the way each kernel grants
 * it, and answered from the counter index the control page shows while the
 * event is enabled and running — the capability bit alone is not the answer:
 *
 * - x86 (arch/x86/events/core.c, arch_perf_update_userpage): the bit is
 *   `event->hw.flags & PERF_X86_EVENT_RDPMC_ALLOWED` (PERF_EVENT_FLAG_USER_READ_CNT
 *   since 5.17) for EVERY event, and hw.flags shares a union with the hrtimer
 *   of a software event, so a software cpu-clock page can show the bit on a
 *   machine without any PMU. Only a hardware event is asked here;
 *   x86_pmu_event_idx gives it counter + 1.
 * - arm64 (drivers/perf/arm_pmuv3.c, 5.17+): __armv8_pmuv3_map_event sets the
 *   flag only for an event with the PMU's `rdpmc` format term (config1:1) on
 *   a task, and arch_perf_update_userpage (arm64) sets the bit from that
 *   flag alone; armv8pmu_user_event_idx gives the page a counter index only
 *   while kernel.perf_user_access is 1 — at 0 the bit is 1 and the index 0.
 */
import { MMAP_CAPABILITIES, PERF_FORMAT } from '../src/abi/constants';
import { MMAP_PAGE } from '../src/abi/mmap-page';
import { errnoName } from '../src/abi/errno';
import { corePmus } from '../src/env/core-pmu';
import { userReadRequest, type UserReadRequest } from '../src/env/user-read';
import type { AttrInput } from '../src/abi/attr-codec';
import type { FeatureEntry } from '../src/model/capability-map';
import type { ProbeContext, ProbeDeclaration, ResolvedBase } from '../src/probe/contract';
import { isErr } from '../src/sys/kernel';

const RDPMC_BIT = MMAP_CAPABILITIES.find((c) => c.name === 'cap_user_rdpmc')!.bit;
const DEPRECATED_BIT = MMAP_CAPABILITIES.find((c) => c.name === 'cap_bit0_is_deprecated')!.bit;
const SYSCTL = 'kernel.perf_user_access';

interface Seen {
  capabilities: bigint;
  index: number;
  timeRunning: bigint;
}

function bitOf(v: bigint, bit: number): boolean {
  return ((v >> BigInt(bit)) & 1n) === 1n;
}

/** Enable, read the control page under its seqlock, disable. */
function watchRunning(ctx: ProbeContext, fd: number, dv: DataView): Seen | { errno: number } {
  const on = ctx.ioctl(fd, 'enable', 0);
  if (isErr(on)) return on;
  try {
    // A read makes the kernel bring the page up to date (perf_event_update_userpage) and gives time_running.
    const buf = new Uint8Array(24);
    const r = ctx.kernel.read(fd, buf);
    if (isErr(r)) return r;
    const timeRunning = new DataView(buf.buffer).getBigUint64(16, true);
    for (let i = 0; i < 100; i++) {
      const lock = dv.getUint32(MMAP_PAGE.lock.offset, true);
      const capabilities = dv.getBigUint64(MMAP_PAGE.capabilities.offset, true);
      const index = dv.getUint32(MMAP_PAGE.index.offset, true);
      if (lock % 2 === 0 && dv.getUint32(MMAP_PAGE.lock.offset, true) === lock) return { capabilities, index, timeRunning };
    }
    return { errno: 11 };
  } finally {
    ctx.ioctl(fd, 'disable', 0);
  }
}

function answer(ctx: ProbeContext, seen: Seen, req: UserReadRequest | undefined, label: string): FeatureEntry {
  const measured = { capabilities: `0x${seen.capabilities.toString(16)}`, index: seen.index, ...(req ? { request: `${req.field}:${req.bit}` } : {}) };
  const base = req ? `${label} with ${req.spec} (rdpmc)` : label;
  const common = { base, measured };
  if (!bitOf(seen.capabilities, DEPRECATED_BIT)) {
    return { status: 'unsupported', value: false, ...common, needs: ['mmap.cap_bit0_is_deprecated'], reason: `the control page has the 3.4–3.11 capability layout (cap_bit0_is_deprecated clear): bit ${RDPMC_BIT} is not defined on this kernel` };
  }
  if (!bitOf(seen.capabilities, RDPMC_BIT)) {
    return { status: 'no-hardware', value: false, ...common, reason: `the kernel left cap_user_rdpmc clear on ${base}: this PMU's counters cannot be read from user space here${req ? '' : ' (x86: also when /sys/bus/event_source/devices/cpu/rdpmc is 0)'}` };
  }
  if (seen.index !== 0) {
    return { status: 'supported', value: true, ...common, reason: `cap_user_rdpmc set and counter index ${seen.index} in the control page while ${base} runs` };
  }
  const access = ctx.env.perfUserAccess;
  if (req && access === 0) {
    return { status: 'denied', value: false, ...common, reason: `${SYSCTL} is 0: the page shows cap_user_rdpmc (set from the ${req.spec} request alone) but counter index 0 while the event runs; sysctl ${SYSCTL}=1 lets user space read it` };
  }
  if (seen.timeRunning === 0n) {
    return { status: 'error', value: false, ...common, reason: `${base} did not get a counter while enabled (time_running 0), so its index says nothing: a fault of the moment` };
  }
  return { status: 'unsupported', value: false, ...common, reason: `cap_user_rdpmc is set but the control page shows counter index 0 while ${base} runs${req ? ` (${SYSCTL} ${access ?? 'unknown'})` : ''}: no counter to read` };
}

function probeOn(ctx: ProbeContext, decl: ProbeDeclaration, base: ResolvedBase, label: string): FeatureEntry {
  const core = corePmus(ctx.env.pmus)[0];
  const req = core ? userReadRequest(core) : undefined;
  const set: AttrInput = req ? { [req.field]: 1n << BigInt(req.bit) } : {};
  const ev = ctx.open({ ...base.attr, ...set, read_format: PERF_FORMAT.TOTAL_TIME_ENABLED | PERF_FORMAT.TOTAL_TIME_RUNNING });
  if (isErr(ev)) return ctx.refused(decl, ev.errno, base, set);
  try {
    const m = ctx.mmap(ev.fd, ctx.kernel.pageSize());
    if ('errno' in m) {
      return { status: 'error', errno: m.errno, errnoName: errnoName(m.errno), base: label, reason: `mmap of the control page failed (${errnoName(m.errno)})`, needs: ['mmap.ring_buffer'] };
    }
    try {
      const seen = watchRunning(ctx, ev.fd, new DataView(m.buffer));
      if ('errno' in seen) return { status: 'error', errno: seen.errno, errnoName: errnoName(seen.errno), base: label, reason: `enabling or reading ${label} failed (${errnoName(seen.errno)})` };
      return answer(ctx, seen, req, label);
    } finally {
      ctx.munmap(m);
    }
  } finally {
    ctx.close(ev.fd);
  }
}

function rdpmcHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return ctx.withBase('hardware', (base, label) => probeOn(ctx, decl, base, label), {
    reason: (en) => `no hardware counter to read (hardware/cpu-cycles does not open: ${en}); a software event's cap_user_rdpmc bit is not about a counter`,
  });
}

export const rdpmcProbe: ProbeDeclaration = {
  id: 'mmap.cap_user_rdpmc',
  description: 'mmap control-page capability cap_user_rdpmc: a hardware counter of this task can be read from user space (rdpmc), shown by a counter index while the event runs',
  base: 'hardware', hook: rdpmcHook,
  mainline: MMAP_CAPABILITIES.find((c) => c.name === 'cap_user_rdpmc')!.mainline,
};

/**
 * The mmap control page: a one-page ring buffer (control page + one data page)
 * is mapped on a sampling event — hardware when a PMU opens, else software —
 * and the capability bits the kernel filled in are read. cap_user_rdpmc is
 * about hardware counters and has its own probe (mmap-rdpmc.ts). A clear time
 * bit is no-hardware too: the kernel sets it only when the clock allows —
 * unless the page shows the kernel does not know the bit at all:
 * cap_bit0_is_deprecated clear is the 3.4–3.11 layout (every later kernel
 * sets it in every page, and bits 2–5 mean nothing before), and a page `size`
 * that ends before time_cycles/time_mask is a kernel without cap_user_time_short.
 */
import { errnoName } from '../src/abi/errno';
import { MMAP_CAPABILITIES } from '../src/abi/constants';
import { MMAP_PAGE } from '../src/abi/mmap-page';
import { errnoClass } from '../src/model/errno-class';
import type { BaseName, ProbeContext, ProbeDeclaration, ResolvedBase } from '../src/probe/contract';
import { isErr } from '../src/sys/kernel';
import { rdpmcProbe } from './mmap-rdpmc';
import type { FeatureEntry } from '../src/model/capability-map';

interface PageAnswer {
  entry: FeatureEntry;
  capabilities?: bigint;
  /** The page's own `size` field (0 on kernels that predate it). */
  size?: number;
  hardware: boolean;
}

const DEPRECATED_BIT = MMAP_CAPABILITIES.find((c) => c.name === 'cap_bit0_is_deprecated')!.bit;
/** The control page's size once it holds time_cycles and time_mask (with cap_user_time_short). */
const SIZE_WITH_TIME_SHORT = MMAP_PAGE.time_mask.offset + 8;

/** Hardware when a PMU opens, else software. */
const PAGE_BASES: readonly BaseName[] = ['hardware-sampling', 'sampling'];

function mapPage(ctx: ProbeContext, decl: ProbeDeclaration): PageAnswer {
  return ctx.memo('mmap.page', (): PageAnswer => {
    let page: PageAnswer | undefined;
    const entry = ctx.withBase(PAGE_BASES, (base, label) => {
      page = readPage(ctx, decl, base, label);
      return page.entry;
    });
    // The base did not open: no page (and no hardware base) to speak of.
    return page ?? { entry, hardware: false };
  });
}

function readPage(ctx: ProbeContext, decl: ProbeDeclaration, base: ResolvedBase, label: string): PageAnswer {
  const hardware = base.name === 'hardware-sampling';
  const ev = ctx.open(base.attr);
  if (isErr(ev)) return { entry: ctx.refused(decl, ev.errno, base), hardware };
  try {
    const len = 2 * ctx.kernel.pageSize();
    const m = ctx.mmap(ev.fd, len);
    if ('errno' in m) {
      const en = errnoName(m.errno);
      const cls = errnoClass(m.errno);
      const status = cls.status === 'denied' ? 'denied' : cls.transient ? 'error' : 'unsupported';
      return { entry: { status, errno: m.errno, errnoName: en, base: label, reason: `mmap of ${len} bytes failed (${en})` }, hardware };
    }
    try {
      const dv = new DataView(m.buffer);
      const caps = dv.getBigUint64(MMAP_PAGE.capabilities.offset, true);
      const size = dv.getUint32(MMAP_PAGE.size.offset, true);
      return { entry: { status: 'supported', base: label, value: len, measured: { capabilities: `0x${caps.toString(16)}`, size } }, capabilities: caps, size, hardware };
    } finally {
      ctx.munmap(m);
    }
  } finally {
    ctx.close(ev.fd);
  }
}

function ringHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return { ...mapPage(ctx, decl).entry };
}

function capHook(bit: number, name: string) {
  return (ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry => {
    const page = mapPage(ctx, decl);
    if (page.capabilities === undefined) {
      return { status: page.entry.status === 'supported' ? 'error' : page.entry.status, reason: `no control page to read: ${page.entry.reason ?? page.entry.status}`, needs: ['mmap.ring_buffer'] };
    }
    const on = ((page.capabilities >> BigInt(bit)) & 1n) === 1n;
    const base = page.entry.base;
    const measured = { capabilities: `0x${page.capabilities.toString(16)}`, size: page.size ?? 0 };
    if (on) return { status: 'supported', value: true, base, measured };
    const newLayout = ((page.capabilities >> BigInt(DEPRECATED_BIT)) & 1n) === 1n;
    if (!newLayout) {
      const old = page.capabilities & 1n ? '; bit 0, set here, is the old shared cap_usr_time/cap_usr_rdpmc bit' : '';
      return bit === DEPRECATED_BIT
        ? { status: 'unsupported', value: false, base, measured, reason: `the kernel left cap_bit0_is_deprecated clear, which every kernel since 3.12 sets in every control page: this is the 3.4–3.11 capability layout${old}` }
        : { status: 'unsupported', value: false, base, measured, needs: ['mmap.cap_bit0_is_deprecated'], reason: `the control page has the 3.4–3.11 capability layout (cap_bit0_is_deprecated clear${old}): bit ${bit} is not defined on this kernel` };
    }
    if (name === 'cap_user_time_short' && page.size !== undefined && page.size > 0 && page.size < SIZE_WITH_TIME_SHORT) {
      return { status: 'unsupported', value: false, base, measured, reason: `the control page's size field is ${page.size}: it ends before time_cycles/time_mask (${SIZE_WITH_TIME_SHORT} bytes), so this kernel predates cap_user_time_short` };
    }
    // The kernel fills these in only when the clock allows it (x86: a stable TSC
    // used as sched_clock; not under most hypervisor clocks), so a clear bit
    // says "not here", not "unknown to this kernel".
    return { status: 'no-hardware', value: false, base, measured, reason: `the kernel left capability bit ${bit} clear on ${base}: the clock or counter it needs is not usable from user space here` };
  };
}

export const mmapProbes: ProbeDeclaration[] = [
  { id: 'mmap.ring_buffer', description: 'mmap of an event fd: control page and ring buffer', base: PAGE_BASES, hook: ringHook, mainline: '2.6.31' },
  rdpmcProbe,
  ...MMAP_CAPABILITIES.filter((c) => c.name !== 'cap_bit0' && c.name !== 'cap_user_rdpmc').map((c): ProbeDeclaration => ({
    id: `mmap.${c.name}`, description: `mmap control-page capability ${c.name}`, base: PAGE_BASES, hook: capHook(c.bit, c.name), mainline: c.mainline,
  })),
];

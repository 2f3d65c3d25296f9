/**
 * The mmap control page: a one-page ring buffer (control page + one data page)
 * is mapped on a sampling event — hardware when a PMU opens, else software —
 * and the capability bits the kernel filled in are read. cap_user_rdpmc is
 * about hardware counters: on a software base it is no-hardware. A clear time
 * bit is no-hardware too: the kernel sets it only when the clock allows.
 */
import { errnoName } from '../src/abi/errno';
import { MMAP_CAPABILITIES } from '../src/abi/constants';
import { MMAP_PAGE } from '../src/abi/mmap-page';
import { BASE_LABELS } from '../src/probe/bases';
import { baseRefused, isTransient } from '../src/probe/engine';
import type { ProbeContext, ProbeDeclaration } from '../src/probe/declaration';
import { isErr } from '../src/sys/kernel';
import type { FeatureEntry } from '../src/probe/types';

interface PageAnswer {
  entry: FeatureEntry;
  capabilities?: bigint;
  hardware: boolean;
}

function mapPage(ctx: ProbeContext, decl: ProbeDeclaration): PageAnswer {
  return ctx.memo('mmap.page', (): PageAnswer => {
    const base = ctx.base(['hardware-sampling', 'sampling']);
    const label = BASE_LABELS[base.name];
    const hardware = base.name === 'hardware-sampling';
    if (base.errno !== undefined) return { entry: baseRefused(base, label), hardware };
    const ev = ctx.open(base.attr);
    if (isErr(ev)) return { entry: ctx.refused(decl, ev.errno, base), hardware };
    try {
      const len = 2 * ctx.kernel.pageSize();
      const m = ctx.mmap(ev.fd, len);
      if ('errno' in m) {
        const en = errnoName(m.errno);
        const status = en === 'EPERM' || en === 'EACCES' ? 'denied' : isTransient(m.errno) ? 'error' : 'unsupported';
        return { entry: { status, errno: m.errno, errnoName: en, base: label, reason: `mmap of ${len} bytes failed (${en})` }, hardware };
      }
      try {
        const caps = new DataView(m.buffer).getBigUint64(MMAP_PAGE.capabilities.offset, true);
        return { entry: { status: 'supported', base: label, value: len, measured: { capabilities: `0x${caps.toString(16)}` } }, capabilities: caps, hardware };
      } finally {
        ctx.munmap(m);
      }
    } finally {
      ctx.close(ev.fd);
    }
  });
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
    const measured = { capabilities: `0x${page.capabilities.toString(16)}` };
    if (on) return { status: 'supported', value: true, base, measured };
    if (name === 'cap_user_rdpmc' && !page.hardware) {
      return { status: 'no-hardware', value: false, base, measured, reason: 'no hardware counter to read with rdpmc here (software base)' };
    }
    // The kernel fills these in only when the clock allows it (x86: a stable TSC
    // used as sched_clock; not under most hypervisor clocks), so a clear bit
    // says "not here", not "unknown to this kernel".
    return { status: 'no-hardware', value: false, base, measured, reason: `the kernel left capability bit ${bit} clear on ${base}: the clock or counter it needs is not usable from user space here` };
  };
}

export const mmapProbes: ProbeDeclaration[] = [
  { id: 'mmap.ring_buffer', base: ['hardware-sampling', 'sampling'], hook: ringHook, mainline: '2.6.31' },
  ...MMAP_CAPABILITIES.filter((c) => c.name !== 'cap_bit0').map((c): ProbeDeclaration => ({
    id: `mmap.${c.name}`, base: ['hardware-sampling', 'sampling'], hook: capHook(c.bit, c.name), mainline: c.mainline,
  })),
];

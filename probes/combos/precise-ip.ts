/**
 * combo.precise_ip: the highest precise_ip (skid constraint) level this PMU
 * honours, on the hardware sampling base.
 *
 * A level that opens is not proof: no function of arm_pmu.c / arm_pmuv3.c
 * reads precise_ip, so every level opens there and nothing is precise. The
 * level is told apart by behaviour: a PMU that honours it fixes up the
 * sample's IP and says so with PERF_RECORD_MISC_EXACT_IP (x86
 * setup_pebs_fixed_sample_data / intel_pmu_pebs_fixup_ip for precise_ip > 1;
 * AMD perf_ibs_handle_irq for IBS, where amd_pmu_hw_config forwards precise
 * cycles with forward_event_to_ibs, levels 1 and 2), an ignored level never
 * does. So the levels that open are sampled, highest first, for a few ms of
 * this thread's work: the first whose samples carry EXACT_IP is the answer.
 * When levels above 1 open but none of their samples is exact, the PMU
 * ignores precise_ip (level 0). Level 1 alone asks for constant skid only,
 * which no sample flag shows, and where no sample arrives (no ring, no
 * interrupt) nothing can be told: then the highest level that opens stands,
 * saying it was not verified.
 */
import { errnoName } from '../../src/abi/errno';
import { MMAP_PAGE } from '../../src/abi/mmap-page';
import { PERF_RECORD, PERF_RECORD_MISC, PERF_SAMPLE } from '../../src/abi/constants';
import { isTransient } from '../../src/model/errno-class';
import type { ProbeContext, ProbeDeclaration, ResolvedBase } from '../../src/probe/contract';
import { isErr } from '../../src/sys/kernel';
import type { FeatureEntry } from '../../src/model/capability-map';

/** Cycles per sample: tens of samples in the few ms of work on a CPU of a GHz or more. */
const SAMPLE_PERIOD = 100_000;
/** CPU time worked per sampled level. */
const WORK_MS = 5;
/** Data pages of the probe's ring. */
const RING_PAGES = 16;

interface Sampled { samples: number; exact: number }

/** Count the SAMPLE records of a ring and those with PERF_RECORD_MISC_EXACT_IP. */
function countExact(buffer: ArrayBuffer, pageSize: number): Sampled {
  const view = new DataView(buffer);
  const head = view.getBigUint64(MMAP_PAGE.data_head.offset, true);
  const offset = Number(view.getBigUint64(MMAP_PAGE.data_offset.offset, true)) || pageSize;
  const size = Number(view.getBigUint64(MMAP_PAGE.data_size.offset, true)) || RING_PAGES * pageSize;
  const out: Sampled = { samples: 0, exact: 0 };
  let pos = 0n;
  while (pos < head && pos < BigInt(size)) {
    const at = offset + Number(pos % BigInt(size));
    const type = view.getUint32(at, true);
    const misc = view.getUint16(at + 4, true);
    const recSize = view.getUint16(at + 6, true);
    if (recSize < 8) break;
    if (type === PERF_RECORD.SAMPLE!) {
      out.samples++;
      if (misc & PERF_RECORD_MISC.EXACT_IP) out.exact++;
    }
    pos += BigInt(recSize);
  }
  return out;
}

/** Sample cycles at `level` for WORK_MS of this thread; undefined when it cannot be sampled here. */
function sampleLevel(ctx: ProbeContext, base: ResolvedBase, level: number): Sampled | undefined {
  const attr = { ...base.attr, precise_ip: level, sample_period: SAMPLE_PERIOD, sample_type: PERF_SAMPLE.IP!, wakeup_events: 1 };
  const r = ctx.open(attr);
  if (isErr(r)) return undefined;
  const pageSize = ctx.kernel.pageSize();
  const m = ctx.mmap(r.fd, (1 + RING_PAGES) * pageSize);
  if ('errno' in m) {
    ctx.close(r.fd);
    return undefined;
  }
  try {
    if (isErr(ctx.ioctl(r.fd, 'enable', 0))) return undefined;
    ctx.work(WORK_MS);
    ctx.ioctl(r.fd, 'disable', 0);
    return countExact(m.buffer, pageSize);
  } finally {
    ctx.munmap(m);
    ctx.close(r.fd);
  }
}

/**
 * Does a precise event take exclude_guest (what :p sets by default)? Where
 * precise events go to another PMU (AMD: forward_event_to_ibs to ibs_op,
 * PERF_PMU_CAP_NO_EXCLUDE) it is refused; recorded in measured.exclude_guest
 * for the shim's guest/host step.
 */
function guestNote(ctx: ProbeContext, base: ResolvedBase, level: number, measured: Record<string, string | number | boolean>): string {
  if (Number(base.attr.exclude_guest ?? 0) === 1) return '';
  const r = ctx.open({ ...base.attr, precise_ip: level, exclude_guest: 1 });
  if (!isErr(r)) {
    ctx.close(r.fd);
    measured.exclude_guest = 'opens';
    return '';
  }
  if (isTransient(r.errno)) return '';
  measured.exclude_guest = errnoName(r.errno);
  return `; with exclude_guest it is refused (${errnoName(r.errno)}): precise events go to a PMU that takes no exclude bit`;
}

export function preciseIpHook(ctx: ProbeContext, decl: ProbeDeclaration): FeatureEntry {
  return ctx.withBase('hardware-sampling', (base, label) => {
    const refusals: Record<string, string> = {};
    const opened: number[] = [];
    for (let level = 3; level >= 1; level--) {
      const r = ctx.open({ ...base.attr, precise_ip: level });
      if (!isErr(r)) {
        ctx.close(r.fd);
        opened.push(level);
        continue;
      }
      if (isTransient(r.errno)) return ctx.refused(decl, r.errno, base, { precise_ip: level });
      refusals[`precise_ip=${level}`] = errnoName(r.errno);
    }
    if (opened.length === 0) {
      const userOnly = Number(base.attr.exclude_kernel ?? 0) === 1;
      const formRefused = Object.values(refusals).some((n) => n === 'EINVAL');
      return {
        status: 'no-hardware', value: 0, base: label, measured: refusals,
        reason: userOnly && formRefused
          ? 'no precise_ip level above 0 opens counting user space only (EINVAL): precise events may go to a PMU that takes no exclude bit (AMD IBS, PERF_PMU_CAP_NO_EXCLUDE), which only a caller allowed to count the kernel can use'
          : 'no precise_ip level above 0 opens on this PMU (no PEBS/IBS/SPE-style precise sampling)',
      };
    }
    const top = opened[0]!;
    const measured: Record<string, string | number | boolean> = { ...refusals, opens: opened.join(',') };
    const samples: string[] = [];
    let sampledAny = false;
    for (const level of opened) {
      const s = sampleLevel(ctx, base, level);
      if (!s || s.samples === 0) continue;
      sampledAny = true;
      measured[`samples@${level}`] = `${s.exact}/${s.samples} EXACT_IP`;
      samples.push(`${s.exact} of ${s.samples} samples at ${level}`);
      if (s.exact > 0) {
        const ignored = opened.filter((l) => l > level);
        return {
          status: 'supported', value: level, base: label, set: { precise_ip: level }, measured,
          reason: `precise_ip ${opened.join(', ')} open${ignored.length ? `; ${ignored.join(', ')} accepted and ignored (no PERF_RECORD_MISC_EXACT_IP)` : ''}; honoured up to ${level} (${s.exact} of ${s.samples} samples carry PERF_RECORD_MISC_EXACT_IP)${guestNote(ctx, base, level, measured)}`,
        };
      }
    }
    if (sampledAny && opened.some((l) => l > 1)) {
      return {
        status: 'no-hardware', value: 0, base: label, measured,
        reason: `precise_ip ${opened.join(', ')} open but are accepted and ignored: no sample carries PERF_RECORD_MISC_EXACT_IP (${samples.join('; ')}); honoured level 0`,
      };
    }
    return {
      status: 'supported', value: top, base: label, set: { precise_ip: top }, measured,
      reason: sampledAny
        ? `precise_ip ${opened.join(', ')} open; level 1 (constant skid) shows no sample flag, so it is taken as opened, not verified`
        : `precise_ip ${opened.join(', ')} open; not verified by sampling (no samples could be taken here)`,
    };
  });
}

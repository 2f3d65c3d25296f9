/**
 * One entry per PMU in sysfs: registered (its type number in value) and
 * whether an event of config 0 opens on it, per task or, for uncore-style
 * PMUs, on one of its CPUs. Config 0 is not a valid event on every PMU
 * (tracepoint, uprobe); that refusal is recorded as measured, the PMU is
 * still there. The software, tracepoint and breakpoint PMUs reuse the answer
 * of their event probes (a tracepoint open costs tens of ms of kernel time).
 */
import { errnoName } from '../src/abi/errno';
import { isErr } from '../src/sys/kernel';
import { errnoClass } from '../src/model/errno-class';
import type { ProbeContext, ProbeDeclaration } from '../src/probe/declaration';
import type { Environment, FeatureEntry, PmuInfo } from '../src/model/capability-map';

function firstCpu(pmu: PmuInfo): number {
  const m = /^(\d+)/.exec(pmu.cpumask ?? '');
  return m ? Number(m[1]) : 0;
}

/** PMUs whose events have their own probe: their answer is reused, not opened twice. */
const COVERED: Readonly<Record<string, string>> = { 1: 'event.software.cpu_clock', 2: 'event.tracepoint', 5: 'event.breakpoint' };

function pmuHook(pmu: PmuInfo) {
  return (ctx: ProbeContext): FeatureEntry => {
    const covered = COVERED[pmu.type];
    if (covered !== undefined) {
      const e = ctx.entry(covered);
      if (e.status === 'error') return { ...e, value: pmu.type, needs: [covered] };
      const opens = e.status === 'supported';
      return {
        status: e.status === 'denied' ? 'denied' : 'supported', value: pmu.type, needs: [covered],
        measured: { opens, by: covered },
        reason: opens ? `registered (type ${pmu.type}); ${covered} opens` : `registered (type ${pmu.type}); ${covered} is ${e.status}`,
      };
    }
    const attr = { type: pmu.type, config: 0, disabled: 1, exclude_kernel: 1, exclude_hv: 1 };
    const label = `${pmu.name}/config=0/`;
    let r = ctx.open(attr);
    let where = 'this task';
    if (isErr(r) && ['EOPNOTSUPP', 'EINVAL', 'ENOENT'].includes(errnoName(r.errno))) {
      const cpuWide = ctx.open({ ...attr, exclude_kernel: 0, exclude_hv: 0 }, { pid: -1, cpu: firstCpu(pmu) });
      if (!isErr(cpuWide) || errnoName(cpuWide.errno) === 'EACCES') {
        r = cpuWide;
        where = `CPU ${firstCpu(pmu)}`;
      }
    }
    if (!isErr(r)) {
      ctx.close(r.fd);
      return { status: 'supported', value: pmu.type, base: label, measured: { opens: true, on: where } };
    }
    const en = errnoName(r.errno);
    const cls = errnoClass(r.errno);
    if (cls.transient) {
      return { status: 'error', value: pmu.type, base: label, errno: r.errno, errnoName: en, reason: `${en} opening ${label}: a fault of the moment` };
    }
    if (cls.status === 'denied') {
      return { status: 'denied', value: pmu.type, base: label, errno: r.errno, errnoName: en, reason: `registered (type ${pmu.type}); opening it on ${where} is not permitted (${en})` };
    }
    return {
      status: 'supported', value: pmu.type, base: label, measured: { opens: false, errnoName: en },
      reason: `registered (type ${pmu.type}); config 0 is refused with ${en} — it needs a specific event`,
    };
  };
}

export function pmuProbes(env: Environment): ProbeDeclaration[] {
  return env.pmus.map((p): ProbeDeclaration => ({ id: `pmu.${p.name}`, base: 'none', hook: pmuHook(p) }));
}

/**
 * One entry per PMU in sysfs: registered (its type number in value) and
 * whether an event of config 0 opens on it, per task or, for uncore-style
 * PMUs, on one of its CPUs. Config 0 is not a valid event on every PMU
 * (tracepoint, uprobe); that refusal is recorded as measured, the PMU is
 * still there. The software, tracepoint and breakpoint PMUs reuse the answer
 * of their event probes (a tracepoint open costs tens of ms of kernel time).
 */
import { errnoName } from '../src/abi/errno';
import { isErr, type OpenResult } from '../src/sys/kernel';
import { errnoClass } from '../src/model/errno-class';
import type { AttrInput } from '../src/abi/attr-codec';
import type { FeatureId, ProbeContext, ProbeDeclaration } from '../src/probe/contract';
import type { Environment, FeatureEntry, FeatureStatus, PmuInfo } from '../src/model/capability-map';
import { isCorePmu } from '../src/env/core-pmu';
import { corePmuForm, formNote } from './core-pmu-form';

const USER_SPACE_FORM = { disabled: 1, exclude_kernel: 1, exclude_hv: 1 } as const;

function firstCpu(pmu: PmuInfo): number {
  const m = /^(\d+)/.exec(pmu.cpumask ?? '');
  return m ? Number(m[1]) : 0;
}

/** PMUs whose events have their own probe: their answer is reused, not opened twice. */
const COVERED: Readonly<Record<number, FeatureId>> = { 1: 'event.software.cpu_clock', 2: 'event.tracepoint', 5: 'event.breakpoint' };

/**
 * Open on this task, user space only; when that is refused as absent or
 * unknown here (an uncore-style PMU has no per-task context), on one of the
 * PMU's CPUs instead, kernel space counted — whose answer is kept when it
 * opened or was denied (the PMU is there, this caller may not use it).
 */
function openOnTaskOrCpu(ctx: ProbeContext, attr: AttrInput, cpu: number): { r: OpenResult; where: string } {
  const r = ctx.open(attr);
  if (!isErr(r) || !NOT_PER_TASK.has(errnoClass(r.errno).status)) return { r, where: 'this task' };
  const cpuWide = ctx.open({ ...attr, exclude_kernel: 0, exclude_hv: 0 }, { pid: -1, cpu });
  if (!isErr(cpuWide) || errnoClass(cpuWide.errno).status === 'denied') return { r: cpuWide, where: `CPU ${cpu}` };
  return { r, where: 'this task' };
}

/** Classes of a per-task refusal that may mean "ask on a CPU": absent (no-hardware) or refused as unknown. */
const NOT_PER_TASK: ReadonlySet<FeatureStatus> = new Set(['no-hardware', 'unsupported']);

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
    // A core PMU's own type takes the hardware base's exclusion form (core-pmu-form.ts); any other PMU user space only.
    const form = isCorePmu(pmu) ? corePmuForm(ctx).form : USER_SPACE_FORM;
    const attr = { type: pmu.type, config: 0, ...form };
    const label = `${pmu.name}/config=0/`;
    const { r, where } = openOnTaskOrCpu(ctx, attr, firstCpu(pmu));
    if (!isErr(r)) {
      ctx.close(r.fd);
      const note = where === 'this task' ? formNote(form) : undefined;
      return { status: 'supported', value: pmu.type, base: label, measured: { opens: true, on: where }, ...(note ? { reason: `registered (type ${pmu.type}); ${note}` } : {}) };
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
  return env.pmus.map((p): ProbeDeclaration => ({ id: pmuId(p.name), description: pmuDescription(p.name), base: 'none', hook: pmuHook(p) }));
}

export function pmuId(name: string): FeatureId {
  return `pmu.${name}`;
}

/** What `pmu.<name>` is, whether or not this machine has that PMU. */
export function pmuDescription(name: string): string {
  return `the ${name} PMU under /sys/bus/event_source/devices`;
}

/**
 * The generic pipeline of a data-only behaviour check: open the declared
 * events (one group or each alone), reset and enable, do the work, disable,
 * read, and judge every expectation against what the work measured.
 */
import { PerfcompatError } from '../errors';
import type { ReadResult } from '../abi/read-format';
import type { BehaviourCheck, Expectation, Verdict, WorkResult } from './behaviour-types';
import type { BehaviourContext, OpenedEvent } from './behaviour-context';

const BOUND = /^\s*(?:([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*\*\s*)?([A-Za-z]+)\s*$/;

/** Evaluate a bound: a number, or "<factor>*<variable>" / "<variable>" over the work result. */
export function evalBound(bound: number | string, work: WorkResult, where: string): number {
  if (typeof bound === 'number' && Number.isFinite(bound)) return bound;
  if (typeof bound === 'string') {
    const m = BOUND.exec(bound);
    if (m) {
      const factor = m[1] !== undefined ? Number(m[1]) : 1;
      const name = m[2] as keyof WorkResult;
      if (name in work) return factor * work[name];
    }
  }
  throw new PerfcompatError('ERR_INVALID_ARGUMENT',
    `${where}: bound ${JSON.stringify(bound)} is not a number or "<factor>*<variable>" with a variable of ${Object.keys(work).join(', ')}`);
}

/** Values per declared event, leader first, with the times of the read that gave them. */
interface Reading { value: number; enabled: number; running: number }

function readings(ctx: BehaviourContext, evs: OpenedEvent[], group: boolean): Reading[] {
  if (group) {
    const r: ReadResult = ctx.read(evs[0]!);
    return r.values.map((v) => ({ value: Number(v.value), enabled: Number(r.timeEnabled ?? 0n), running: Number(r.timeRunning ?? 0n) }));
  }
  return evs.map((ev) => {
    const r = ctx.read(ev);
    return { value: Number(r.values[0]!.value), enabled: Number(r.timeEnabled ?? 0n), running: Number(r.timeRunning ?? 0n) };
  });
}

export function runGeneric(check: BehaviourCheck, ctx: BehaviourContext): Verdict {
  const decls = check.events ?? [];
  if (decls.length === 0) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `behaviour check ${check.name}: no events and no run() hook; declare events (and expect) or a run(ctx) function`);
  }
  const group = check.group === true;
  const evs: OpenedEvent[] = [];
  for (const d of decls) {
    evs.push(group && evs.length > 0 ? ctx.open(d, { group: evs[0]! }) : ctx.open(d, { groupRead: group }));
  }
  if (group) ctx.reset(evs[0]!, true);
  else for (const ev of evs) ctx.reset(ev);
  // wallNs spans enable to disable: no counter of this thread can count more time than that.
  const t0 = process.hrtime.bigint();
  if (group) ctx.enable(evs[0]!, true);
  else for (const ev of evs) ctx.enable(ev);
  const done = ctx.work(check.work);
  if (group) ctx.disable(evs[0]!, true);
  else for (const ev of evs) ctx.disable(ev);
  const real = Number(process.hrtime.bigint() - t0);
  // The workload says what span the counters saw (the real time, or its own clock's on top).
  const work: WorkResult = { ...done, wallNs: ctx.workload.spanNs(done, real) };
  const rs = readings(ctx, evs, group);
  const measured: Record<string, number> = { wallNs: work.wallNs };
  if (work.pages) measured.pages = work.pages;
  if (work.cpuNs) measured.cpuNs = work.cpuNs;
  rs.forEach((r, i) => {
    measured[evs[i]!.label] = r.value;
  });
  if (rs.length !== evs.length) {
    return ctx.broken(`group read returned ${rs.length} values for ${evs.length} events`, measured);
  }
  const failures: string[] = [];
  for (const [k, e] of (check.expect ?? []).entries()) failures.push(...judge(e, k, rs, evs, work, check.name));
  if (failures.length > 0) return ctx.broken(failures.join('; '), measured);
  return ctx.ok(measured);
}

function judge(e: Expectation, k: number, rs: Reading[], evs: OpenedEvent[], work: WorkResult, name: string): string[] {
  const where = `behaviour check ${name}: expect[${k}]`;
  const r = rs[e.event];
  if (!r) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${where}: event ${e.event} is not one of the ${evs.length} declared (0..${evs.length - 1})`);
  let v = r.value;
  if (e.scaled) {
    if (r.running === 0) return [`${evs[e.event]!.label} never ran (time_running 0), cannot scale`];
    v = (r.value * r.enabled) / r.running;
  }
  const out: string[] = [];
  const label = `${evs[e.event]!.label}${e.scaled ? ' (scaled)' : ''}`;
  if (e.min !== undefined) {
    const min = evalBound(e.min, work, where);
    if (!(v >= min)) out.push(`${label} = ${Math.round(v)}, expected >= ${Math.round(min)}${typeof e.min === 'string' ? ` (${e.min})` : ''}`);
  }
  if (e.max !== undefined) {
    const max = evalBound(e.max, work, where);
    if (!(v <= max)) out.push(`${label} = ${Math.round(v)}, expected <= ${Math.round(max)}${typeof e.max === 'string' ? ` (${e.max})` : ''}`);
  }
  return out;
}

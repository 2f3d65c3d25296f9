/** Events and small helpers the built-in behaviour checks share. */
import type { EventDecl, WorkDecl } from '../../src/probe/behaviour-types';
import type { BehaviourCtx as BehaviourContext, OpenedEvent } from '../../src/probe/behaviour-types';
import type { ReadResult } from '../../src/abi/read-format';
import { PERF_RECORD } from '../../src/abi/constants';

export const TASK_CLOCK: EventDecl = { type: 'software', config: 'task_clock' };
export const CPU_CLOCK: EventDecl = { type: 'software', config: 'cpu_clock' };
export const CYCLES: EventDecl = { type: 'hardware', config: 'cpu_cycles' };
export const INSTRUCTIONS: EventDecl = { type: 'hardware', config: 'instructions' };

/** Hardware events to fill groups with, most common first. */
export const HW_GROUP_EVENTS: readonly EventDecl[] = [
  CYCLES, INSTRUCTIONS,
  { type: 'hardware', config: 'branch_instructions' },
  { type: 'hardware', config: 'branch_misses' },
  { type: 'hardware', config: 'cache_references' },
  { type: 'hardware', config: 'cache_misses' },
];

/** The number a read gave for member i (0 = leader or the lone event). */
export function valueOf(r: ReadResult, i = 0): number {
  return Number(r.values[i]?.value ?? 0n);
}

export function times(r: ReadResult): { enabled: number; running: number } {
  return { enabled: Number(r.timeEnabled ?? 0n), running: Number(r.timeRunning ?? 0n) };
}

/** Enable, work (cpuMs of CPU, or the work declared), disable, read: one measured interval of one event. */
export function measure(ctx: BehaviourContext, ev: OpenedEvent, work: number | WorkDecl, group = false): ReadResult {
  ctx.reset(ev, group);
  ctx.enable(ev, group);
  ctx.work(typeof work === 'number' ? { cpu_ms: work } : work);
  ctx.disable(ev, group);
  return ctx.read(ev);
}

/** Record type numbers the checks count headers of (from the ABI table). */
export const PERF_RECORD_SAMPLE = PERF_RECORD.SAMPLE!;
export const PERF_RECORD_LOST = PERF_RECORD.LOST!;
export const PERF_RECORD_THROTTLE = PERF_RECORD.THROTTLE!;
export const PERF_RECORD_UNTHROTTLE = PERF_RECORD.UNTHROTTLE!;

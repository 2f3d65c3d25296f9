/**
 * Which capability-map entry speaks for an event (event.hardware.cpu_cycles,
 * event.software.task_clock, pmu.<name>, …), which PMU context it lives in
 * (for grouping) and a readable label. Pure.
 */
import { HW_CACHE_IDS, HW_CACHE_OPS, HW_CACHE_RESULTS, HW_EVENTS, PERF_HW_EVENT_MASK, PERF_TYPE, SW_EVENTS } from '../abi/constants';
import type { Environment } from '../model/capability-map';
import { isCorePmu } from '../env/core-pmu';
import { corePmuOfEventName } from './core-pmu-parts';

/** PMUs whose events live in the software context and may join any group. */
const SOFTWARE_CONTEXT_PMUS = new Set(['software', 'tracepoint', 'breakpoint', 'kprobe', 'uprobe']);

function big(v: unknown): bigint {
  return typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : 0n;
}

function pmuByType(env: Environment | undefined, type: number): string | undefined {
  return env?.pmus.find((p) => p.type === type)?.name;
}

/** The feature id of the event itself, or undefined for a type the map cannot know. */
export function eventFeatureId(type: number, config: unknown, env?: Environment): string | undefined {
  const c = big(config);
  switch (type) {
    case PERF_TYPE.HARDWARE: {
      const ev = HW_EVENTS.find((e) => BigInt(e.value) === (c & PERF_HW_EVENT_MASK));
      return ev ? `event.hardware.${ev.name}` : undefined;
    }
    case PERF_TYPE.SOFTWARE: {
      const ev = SW_EVENTS.find((e) => BigInt(e.value) === c);
      return ev ? `event.software.${ev.name}` : undefined;
    }
    case PERF_TYPE.HW_CACHE: {
      const id = HW_CACHE_IDS.find((e) => BigInt(e.value) === (c & 0xffn));
      const op = HW_CACHE_OPS.find((e) => BigInt(e.value) === ((c >> 8n) & 0xffn));
      const res = HW_CACHE_RESULTS.find((e) => BigInt(e.value) === ((c >> 16n) & 0xffn));
      return id && op && res ? `event.hw_cache.${id.name}.${op.name}.${res.name}` : undefined;
    }
    case PERF_TYPE.TRACEPOINT: return 'event.tracepoint';
    case PERF_TYPE.BREAKPOINT: return 'event.breakpoint';
    case PERF_TYPE.RAW: return undefined;
    default: {
      const pmu = pmuByType(env, type);
      return pmu ? `pmu.${pmu}` : undefined;
    }
  }
}

/** True for events counted by the CPU's own PMU (generic hardware, cache, raw, or the type of a core PMU by src/env's rule). */
export function isCorePmuEvent(type: number, env?: Environment): boolean {
  if (type === PERF_TYPE.HARDWARE || type === PERF_TYPE.HW_CACHE || type === PERF_TYPE.RAW) return true;
  const pmu = env?.pmus.find((p) => p.type === type);
  return pmu !== undefined && isCorePmu(pmu);
}

/**
 * The scheduling context of an event: 'software' for events any group can
 * take, else a key of the hardware PMU (`core:<name>`, the core PMU a generic
 * event lands on, by its extended type).
 */
export function pmuContext(type: number, env?: Environment, config?: unknown): string {
  if (type === PERF_TYPE.SOFTWARE || type === PERF_TYPE.TRACEPOINT || type === PERF_TYPE.BREAKPOINT) return 'software';
  // Each core PMU is its own context (a hybrid CPU's cpu_core and cpu_atom never share a group).
  if (isCorePmuEvent(type, env)) return `core:${corePmuOfEventName(type, config, env) ?? 'cpu'}`;
  const pmu = pmuByType(env, type);
  if (pmu !== undefined && SOFTWARE_CONTEXT_PMUS.has(pmu)) return 'software';
  return `pmu:${pmu ?? type}`;
}

/** A label for an event without a name: "hardware/cpu_cycles", "software/task_clock", "type 9 config 0x3". */
export function eventLabel(type: number, config: unknown, env?: Environment): string {
  const id = eventFeatureId(type, config, env);
  if (id?.startsWith('event.hardware.')) return `hardware/${id.slice(15)}`;
  if (id?.startsWith('event.software.')) return `software/${id.slice(15)}`;
  if (id?.startsWith('event.hw_cache.')) return `hw_cache/${id.slice(15)}`;
  return `type ${type} config 0x${big(config).toString(16)}`;
}

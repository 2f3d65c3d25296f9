/**
 * Generic events on a CPU with several core PMUs (hybrid x86: cpu_core and
 * cpu_atom; arm big.LITTLE). Pure.
 *
 * - Which PMU an event lands on (perf_init_event, kernel/events/core.c 5.13+):
 *   a hardware or cache event with a PMU type in config bits 32+
 *   (PERF_PMU_TYPE_SHIFT) goes to that PMU; without, to the PMU registered as
 *   PERF_TYPE_RAW (x86's cpu_core), so it counts the P-cores only.
 * - A group holds the events of one PMU only (perf_event_open refuses a
 *   sibling whose pmu context differs from the leader's; x86 validate_group
 *   of a hybrid PMU): each core PMU is its own scheduling context.
 * - perf opens a generic name once per core PMU (cpu_core/cycles/,
 *   cpu_atom/cycles/) and, for the name the user gave, sums them. EventSet
 *   does the same with perCorePmuParts and foldParts.
 */
import { PERF_TYPE } from '../abi/constants';
import { corePmuOfEvent, corePmus } from '../env/core-pmu';
import type { Environment } from '../model/capability-map';
import type { SpecWithMeta } from './resolve-spec';
import type { CounterValue, EventSpec, EventValue } from './types';

const SHIFT = 32n;
const LOW = (1n << SHIFT) - 1n;

function big(v: unknown): bigint {
  return typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : 0n;
}

/** The core PMU (by name) a core event counts on, for grouping (src/env's rule); undefined when the environment lists none. */
export function corePmuOfEventName(type: number, config: unknown, env: Pick<Environment, 'pmus'> | undefined): string | undefined {
  return corePmuOfEvent(type, big(config), env?.pmus ?? [])?.name;
}

/**
 * One spec per core PMU for a generic hardware or cache event asked for
 * without a PMU (a bare name, or a typed spec without the extended type), on
 * a machine with several core PMUs; undefined otherwise (one event suffices).
 */
export function perCorePmuParts(input: EventSpec | string, resolved: SpecWithMeta, env: Pick<Environment, 'pmus'> | undefined): SpecWithMeta[] | undefined {
  const cores = corePmus(env?.pmus ?? []);
  const { type } = resolved.spec;
  if (cores.length < 2 || (type !== PERF_TYPE.HARDWARE && type !== PERF_TYPE.HW_CACHE)) return undefined;
  if (typeof input === 'string' ? input.includes('/') : (big(input.config) >> SHIFT) !== 0n) return undefined;
  const low = big(resolved.spec.config) & LOW;
  const name = resolved.spec.name ?? (typeof input === 'string' ? input : `type ${type} config 0x${low.toString(16)}`);
  return cores.map((p) => ({ ...resolved, spec: { ...resolved.spec, config: low | (BigInt(p.type) << SHIFT), name: `${p.name}/${name}/` } }));
}

/**
 * The sum of one event's parts (one per core PMU): counts and estimates add
 * up (each part scaled by its own running share); the times are the longest
 * part's; multiplexed or counted when any part was.
 */
export function foldParts<T extends CounterValue>(a: T, b: CounterValue): T {
  const out: T = {
    ...a, value: a.value + b.value, scaled: a.scaled + b.scaled,
    timeEnabled: a.timeEnabled > b.timeEnabled ? a.timeEnabled : b.timeEnabled,
    timeRunning: a.timeRunning > b.timeRunning ? a.timeRunning : b.timeRunning,
    multiplexed: a.multiplexed || b.multiplexed, counted: a.counted || b.counted,
  };
  if (a.lost !== undefined && b.lost !== undefined) out.lost = a.lost + b.lost;
  return out;
}

/** One value per name: the parts' values (partSlot[i]: the name of part i) folded, under the name. */
export function foldBySlot(parts: readonly EventValue[], partSlot: readonly number[], names: readonly string[]): EventValue[] {
  const out: EventValue[] = new Array(names.length);
  parts.forEach((v, i) => {
    const slot = partSlot[i]!;
    const prev = out[slot];
    out[slot] = prev === undefined ? { ...v, name: names[slot]! } : foldParts(prev, v);
  });
  return out;
}

/**
 * EventSet's parts: an add() of a generic event on a CPU with several core
 * PMUs opens one event per core PMU (./core-pmu-parts), and the set reads
 * them as one value under the name the user gave. The set keeps its events
 * (parts) in open order; `slotOf[i]` is the value position of part i.
 *
 * - read(): the parts' scaled numbers add up; a part that was not counted
 *   adds nothing, and the value is NOT_COUNTED only when no part was counted.
 * - readValues(): foldParts (counts and estimates add, times are the longest
 *   part's), counted when any part was; `notCounted` only when none was.
 * - A part that opened as a software stand-in (a different unit) is refused:
 *   ns added to cycles is not a count.
 */
import { PerfcompatError } from '../errors';
import { foldBySlot } from './core-pmu-parts';
import { NOT_COUNTED } from './event-set-groups';
import type { PerfEvent } from './perf-event';
import type { EventValue } from './types';

/** Fold the parts' numbers `parts[0..slotOf.length)` into `out[0..n)` (allocation-free). */
export function foldNumbers(parts: Float64Array, slotOf: readonly number[], out: Float64Array, n: number): Float64Array {
  out.fill(NOT_COUNTED, 0, n);
  for (let i = 0; i < slotOf.length; i++) {
    const v = parts[i]!;
    if (v === NOT_COUNTED) continue;
    const s = slotOf[i]!;
    out[s] = out[s] === NOT_COUNTED ? v : out[s]! + v;
  }
  return out;
}

/** One EventValue per name: the parts' values folded; `notCounted` stays only when no part was counted. */
export function foldValues(parts: readonly EventValue[], slotOf: readonly number[], names: readonly string[]): EventValue[] {
  const out = foldBySlot(parts, slotOf, names);
  for (const v of out) if (v.counted) delete v.notCounted;
  return out;
}

/** Refuse parts of which one opened as a stand-in (its count is in another unit than the others'). */
export function checkParts(name: string, events: readonly PerfEvent[]): void {
  if (events.length < 2) return;
  const sub = events.find((e) => e.substitutedFrom !== undefined);
  if (sub === undefined) return;
  throw new PerfcompatError('ERR_INVALID_ARGUMENT',
    `EventSet.add(${JSON.stringify(name)}): it opens on every core PMU (${events.map((e) => e.name).join(', ')}) and is read as their sum, `
    + `but ${sub.name} opened as a software stand-in for ${sub.substitutedFrom!}${sub.unit !== undefined ? ` (in ${sub.unit})` : ''}: `
    + 'that sum would not be a count; add each PMU\'s event by name (e.g. cpu_core/cycles/) instead');
}

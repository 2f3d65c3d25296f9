/**
 * Checks at the shim's public entry points (openEvent, EventSet, Sampler,
 * RingBuffer, shimPathFor, cyclesToPerfTime): a wrong type is a
 * PerfcompatError naming the function and the argument, before anything reads
 * a property of it (never a TypeError, never "[object Object]").
 */
import { invalidArgument } from '../abi/args';
import type { CapabilityMap } from '../model/capability-map';
import type { EventSpec } from './types';

/** Longer than any event name or list the shim resolves (the event-list parser takes 64 KiB). */
const SPEC_TEXT_MAX = 4096;

/** An options object (undefined → {}). */
export function optionsArg<T extends object>(fn: string, v: T | undefined, name = 'options'): T {
  if (v === undefined) return {} as T;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidArgument(fn, name, v, 'an options object or undefined');
  const caps = (v as { capabilities?: unknown }).capabilities;
  if (caps !== undefined) mapArg(fn, caps, `${name}.capabilities`);
  return v;
}

/** An event name, or an event spec object (its fields are checked where it is normalised). */
export function specArg(fn: string, v: unknown, name = 'spec'): EventSpec | string {
  if (typeof v === 'string') {
    if (v.length > SPEC_TEXT_MAX) throw invalidArgument(fn, name, v, `an event name of at most ${SPEC_TEXT_MAX} characters`);
    return v;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw invalidArgument(fn, name, v, "an event name ('task-clock') or a spec object ({ type, config })");
  }
  return v as EventSpec;
}

/** A Float64Array to write into (optional when `optional`). */
export function float64Arg(fn: string, name: string, v: unknown, optional: boolean): Float64Array | undefined {
  if (v instanceof Float64Array || (optional && v === undefined)) return v as Float64Array | undefined;
  throw invalidArgument(fn, name, v, optional ? 'a Float64Array or undefined' : 'a Float64Array');
}

/** A capability map (an object with features). */
export function mapArg(fn: string, v: unknown, name = 'map'): CapabilityMap {
  const f = v !== null && typeof v === 'object' ? (v as { features?: unknown }).features : undefined;
  if (f === null || typeof f !== 'object') throw invalidArgument(fn, name, v, 'a capability map (getCapabilities())');
  return v as CapabilityMap;
}

/** The ring's data area: past 4 GiB no ring can be mapped, and its default watermark (a quarter) leaves u32. */
const DATA_AREA_MAX = 2 ** 32;

/** A Sampler's `pages`, already a power of two: at most 4 GiB of data area at this page size. */
export function dataPagesArg(fn: string, pages: number, pageSize: number): number {
  if (pages * pageSize <= DATA_AREA_MAX) return pages;
  throw invalidArgument(fn, 'pages', pages, `at most ${DATA_AREA_MAX / pageSize} pages (a 4 GiB data area of ${pageSize}-byte pages)`);
}

/** cyclesToPerfTime's arguments: a u64 cycle count and the control page's time fields. */
export function timeArgs(cycles: unknown, t: unknown): void {
  const fn = 'cyclesToPerfTime';
  if (typeof cycles !== 'bigint' || cycles < 0n || cycles >= 1n << 64n) throw invalidArgument(fn, 'cycles', cycles, 'a bigint from 0 to 2^64-1');
  if (t === null || typeof t !== 'object') throw invalidArgument(fn, 'time', t, 'the mmap time fields { timeZero, timeMult, timeShift }');
  const { timeZero, timeMult, timeShift } = t as Record<string, unknown>;
  if (typeof timeZero !== 'bigint') throw invalidArgument(fn, 'time.timeZero', timeZero, 'a bigint');
  if (typeof timeMult !== 'number' || !Number.isInteger(timeMult) || timeMult < 0 || timeMult > 0xffffffff) throw invalidArgument(fn, 'time.timeMult', timeMult, 'an integer from 0 to 2^32-1');
  if (typeof timeShift !== 'number' || !Number.isInteger(timeShift) || timeShift < 0 || timeShift > 63) throw invalidArgument(fn, 'time.timeShift', timeShift, 'an integer from 0 to 63');
}

/**
 * Checks of the arguments a public function was given, before it uses them:
 * a wrong type or range is a PerfcompatError('ERR_INVALID_ARGUMENT') naming the
 * function, the argument and what would be valid, with the value shown in at
 * most 40 characters (never "[object Object]", never a megabyte echoed). Pure.
 */
import { PerfcompatError } from '../errors';

const SHOWN_MAX = 40;

/** A value as text for a message: its kind and, for small scalars, itself; at most 40 characters. */
export function shownValue(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined': return 'undefined';
    case 'number': case 'boolean': return String(v);
    case 'bigint': return clip(`${v.toString()}n`);
    case 'string': return clip(JSON.stringify(v.length > SHOWN_MAX ? v.slice(0, SHOWN_MAX) : v), v.length > SHOWN_MAX);
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    default: break;
  }
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor?.name ?? 'typed array'} of ${v.byteLength} bytes`;
  if (v instanceof ArrayBuffer) return `an ArrayBuffer of ${v.byteLength} bytes`;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? clip(`a ${name}`) : 'an object';
}

function clip(s: string, cut = false): string {
  return s.length > SHOWN_MAX || cut ? `${s.slice(0, SHOWN_MAX - 3)}...` : s;
}

/** Text cut to `max` characters with "..." (for echoing input that can be any length). */
export function clipText(s: string, max = SHOWN_MAX): string {
  return s.length > max ? `${s.slice(0, Math.max(0, max - 3))}...` : s;
}

export function invalidArgument(fn: string, name: string, v: unknown, valid: string): PerfcompatError {
  return new PerfcompatError('ERR_INVALID_ARGUMENT', `${fn}: ${name} is ${shownValue(v)}; expected ${valid}`);
}

/** A Uint8Array (or Buffer). */
export function bytesArg(fn: string, name: string, v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw invalidArgument(fn, name, v, 'a Uint8Array or Buffer');
}

/** An integer in [min, max]. */
export function intArg(fn: string, name: string, v: unknown, min: number, max: number): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  throw invalidArgument(fn, name, v, `an integer from ${min} to ${max}`);
}

/** A bit mask or other unsigned 64-bit word given as a non-negative safe integer or a bigint. */
export function u64Arg(fn: string, name: string, v: unknown): bigint {
  if (typeof v === 'bigint' && v >= 0n && v < 1n << 64n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw invalidArgument(fn, name, v, 'a non-negative integer or bigint below 2^64');
}

/** A non-null object (not an array). */
export function objectArg<T extends object>(fn: string, name: string, v: unknown, valid: string): T {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as T;
  throw invalidArgument(fn, name, v, valid);
}

/** A string of at most `max` characters. */
export function stringArg(fn: string, name: string, v: unknown, max = 4096): string {
  if (typeof v === 'string' && v.length <= max) return v;
  throw invalidArgument(fn, name, v, `a string of at most ${max} characters`);
}

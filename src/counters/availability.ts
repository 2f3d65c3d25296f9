/**
 * Can this process count? canCount(events) and available() answer with
 * { ok, reason } and never throw: not under seccomp, not without perf events,
 * not for a bad name. (The capability API's supports(id) answers about one
 * feature of the map, and throws ERR_PERF_UNAVAILABLE where perf_event_open
 * is refused outright.)
 */
import { PerfcompatError } from '../errors';
import { Driver } from './driver';
import type { Availability, CountersOptions } from './types';

function reasonOf(err: unknown): { reason: string; code?: string } {
  if (err instanceof PerfcompatError) return { reason: err.message, code: err.code };
  return { reason: err instanceof Error ? err.message : String(err) };
}

/**
 * Whether every one of `events` (default: task-clock, the most permissive
 * event) can be counted here with these options; per event, what would count
 * (a stand-in only when `standIns` is set) or why not.
 */
export function canCount(events?: readonly string[], opts: Omit<CountersOptions, 'events'> = {}): Availability {
  let names: readonly string[];
  try {
    names = events === undefined ? ['task-clock'] : [...events];
    if (names.length === 0 || !names.every((n) => typeof n === 'string' && n.trim() !== '')) {
      return { ok: false, reason: `canCount(events): events must be a non-empty array of event names, got ${JSON.stringify(events)}`, code: 'ERR_INVALID_ARGUMENT', events: {} };
    }
  } catch (err) {
    return { ok: false, ...reasonOf(err), events: {} };
  }
  let driver: Driver | undefined;
  try {
    driver = new Driver(names, { ...opts, scope: 'thread' });
    const per: Record<string, { ok: boolean; name?: string; reason?: string; standInFor?: string }> = {};
    for (const e of driver.events) per[e.requested] = { ok: true, name: e.name, ...(e.standInFor !== undefined ? { standInFor: e.standInFor } : {}) };
    for (const m of driver.missing) per[m.name] = { ok: false, reason: m.reason };
    if (driver.missing.length === 0) return { ok: true, events: per as Record<string, { ok: true; name: string }> };
    const first = driver.missing[0]!;
    return { ok: false, reason: driver.missing.map((m) => (m.reason.startsWith(`${m.name}:`) ? m.reason : `${m.name}: ${m.reason}`)).join('; '), ...(first.code ? { code: first.code } : {}), events: per };
  } catch (err) {
    return { ok: false, ...reasonOf(err), events: {} };
  } finally {
    try { driver?.close(); } catch { /* closing never matters to the answer */ }
  }
}

/** Whether perf_event_open can count anything here (a software event of this thread). */
export function available(opts: Omit<CountersOptions, 'events'> = {}): { ok: true } | { ok: false; reason: string; code?: string } {
  const r = canCount(undefined, opts);
  return r.ok ? { ok: true } : { ok: false, reason: r.reason, ...(r.code ? { code: r.code } : {}) };
}

/**
 * Tracepoint tests decide from this machine whether tracefs can be used (the
 * project's own lookup, src/env findTracefs) and, where it cannot, expect the
 * documented answer instead of skipping: "tracefs is not mounted: <detail>;
 * mount it (mount -t tracefs nodev /sys/kernel/tracing) …", or "tracefs is not
 * readable: <detail>".
 */
import { findTracefs, type TracefsLookup } from '../../src/env/tracefs';

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** tracefs as this machine has it now. */
export function tracefsHere(): TracefsLookup {
  return findTracefs();
}

/** The message an event name that needs tracefs gets when tracefs cannot be used as `t` says. */
export function tracefsUnusableAnswer(t: Extract<TracefsLookup, { ok: false }>): RegExp {
  return t.problem === 'not-readable'
    ? new RegExp(`tracefs is not readable: ${escape(t.detail)}`)
    : new RegExp(`tracefs is not mounted: ${escape(t.detail)}; mount it \\(mount -t tracefs nodev /sys/kernel/tracing\\)`);
}

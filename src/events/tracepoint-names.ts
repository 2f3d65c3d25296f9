/**
 * Tracepoints `system:event` (with * ? [..] globs in either part) resolved to
 * their tracefs ids.
 */
import { PERF_TYPE } from '../abi/constants';
import { eventError } from './event-error';
import { listTraceEvents, listTraceSystems, readTracepointId } from '../env/tracefs';
import type { ResolveContext } from './context';
import { globMatch, hasGlob } from './glob';
import { suggestion } from './edit-distance';

export interface TracepointHit {
  name: string;
  id: number;
}

export const TRACEPOINT_PART = /^[A-Za-z0-9_.*?[\]!-]+$/;

function err(what: string, msg: string): never {
  throw eventError(what, msg);
}

/** The tracefs root, or an error saying why there is none. */
export function tracefsRootOrThrow(ctx: ResolveContext, what: string): string {
  const t = ctx.tracefs();
  if (t.ok) return t.root;
  if (t.problem === 'not-readable') {
    err(what, `tracefs is not readable: ${t.detail}; tracepoints need root or read access to tracefs`);
  }
  err(what, `tracefs is not mounted: ${t.detail}; mount it (mount -t tracefs nodev /sys/kernel/tracing) or pass tracefsRoot`);
}

/** Resolve system:event (globs allowed) to one or more tracepoints. */
export function resolveTracepoints(ctx: ResolveContext, system: string, event: string, what: string): TracepointHit[] {
  for (const [part, label] of [[system, 'system'], [event, 'event']] as const) {
    if (!TRACEPOINT_PART.test(part)) err(what, `"${part.slice(0, 40)}" is not a tracepoint ${label} name (letters, digits, _ . - and globs * ? [])`);
  }
  const root = tracefsRootOrThrow(ctx, what);
  if (!hasGlob(system) && !hasGlob(event)) {
    const r = readTracepointId(root, system, event);
    if ('id' in r) return [{ name: `${system}:${event}`, id: r.id }];
    if (r.problem === 'not-readable') err(what, `tracepoint id is not readable: ${r.detail}`);
    if (r.problem === 'malformed') err(what, r.detail);
    if (r.detail.includes('has no id file')) err(what, r.detail);
    const systems = listTraceSystems(root);
    if (!systems.includes(system)) err(what, `unknown tracepoint system "${system}"${suggestion(system, systems)}`);
    err(what, `unknown tracepoint "${event}" in system ${system}${suggestion(event, listTraceEvents(root, system))}`);
  }
  const hits: TracepointHit[] = [];
  for (const s of listTraceSystems(root)) {
    if (!globMatch(system, s)) continue;
    for (const e of listTraceEvents(root, s)) {
      if (!globMatch(event, e)) continue;
      const r = readTracepointId(root, s, e);
      if ('id' in r) hits.push({ name: `${s}:${e}`, id: r.id });
    }
  }
  if (hits.length === 0) err(what, `no tracepoint matches ${system}:${event} in ${root}/events`);
  return hits;
}

export function tracepointAttr(id: number): Record<string, number | bigint> {
  // perf sets sample_period 1 on tracepoints: every hit is a sample when sampling.
  return { type: PERF_TYPE.TRACEPOINT, config: BigInt(id), sample_period: 1n };
}

/**
 * listEvents: every event name that resolves on this machine — generic
 * hardware and software events, meaningful cache events, sysfs PMU aliases,
 * tracepoints, and the breakpoint and raw forms — with a status when a
 * kernel (open each and classify) or a capability map is given.
 */
import type { FeatureStatus } from '../model/capability-map';
import { listTraceEvents, listTraceSystems } from '../env/tracefs';
import { ResolveContext } from './context';
import { HARDWARE_NAMES, SOFTWARE_NAMES } from './generic-names';
import { allHwCacheEvents } from './hw-cache-names';
import { globMatch, hasGlob } from './glob';
import { openStatus } from './open-status';
import { resolveEvent } from './parse-list';
import type { EventKind, EventListing, EventListOptions } from './types';
import { PerfcompatError } from '../errors';
import { invalidArgument } from '../abi/args';

interface Entry {
  name: string;
  pmu: string;
  kind: EventKind;
  featureId: string;
  /** A form to fill in (mem:ADDR, rNNNN): it cannot be opened as listed. */
  template?: boolean;
}

function matcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined || pattern === '') return () => true;
  const p = pattern.toLowerCase();
  if (hasGlob(p)) return (n) => globMatch(p, n.toLowerCase());
  return (n) => n.toLowerCase().includes(p);
}

function entries(ctx: ResolveContext): Entry[] {
  const core = ctx.bootCorePmu()?.name ?? 'hardware';
  const out: Entry[] = [];
  for (const h of HARDWARE_NAMES) out.push({ name: h.canonical, pmu: core, kind: 'hardware', featureId: `event.hardware.${h.abi.name}` });
  for (const s of SOFTWARE_NAMES) out.push({ name: s.canonical, pmu: 'software', kind: 'software', featureId: `event.software.${s.abi.name}` });
  for (const c of allHwCacheEvents()) out.push({ name: c.name, pmu: core, kind: 'hw_cache', featureId: c.featureId });
  const cores = ctx.corePmus();
  if (cores.length > 1) {
    // Hybrid: each core PMU's own copy of the generic hardware events (cpu_core/cycles/, cpu_atom/cycles/).
    for (const p of cores) {
      for (const h of HARDWARE_NAMES) out.push({ name: `${p.name}/${h.canonical}/`, pmu: p.name, kind: 'hardware', featureId: `event.hardware.${h.abi.name}` });
    }
  }
  for (const n of ctx.pmuNames()) {
    const p = ctx.pmu(n);
    if (!p) continue;
    for (const a of [...Object.keys(p.aliases), ...(p.aliasesWithoutTerms ?? [])]) out.push({ name: `${n}/${a}/`, pmu: n, kind: 'pmu', featureId: `pmu.${n}` });
  }
  const t = ctx.tracefs();
  if (t.ok) {
    for (const s of listTraceSystems(t.root)) {
      for (const e of listTraceEvents(t.root, s)) out.push({ name: `${s}:${e}`, pmu: 'tracepoint', kind: 'tracepoint', featureId: 'event.tracepoint' });
    }
  }
  out.push({ name: 'mem:<addr>[/len][:rwx]', pmu: 'breakpoint', kind: 'breakpoint', featureId: 'event.breakpoint', template: true });
  out.push({ name: 'rNNNN', pmu: core === 'hardware' ? 'raw' : core, kind: 'raw', featureId: 'event.raw', template: true });
  return out;
}

/**
 * List events. With `kernel`, each (non-template) event is opened once for
 * this task and classified; with `capabilities` only, the status comes from
 * the map's entry for the event (event.*, pmu.<name>).
 */
export function listEvents(optsIn?: EventListOptions): EventListing[] {
  if (optsIn !== undefined && (optsIn === null || typeof optsIn !== 'object' || Array.isArray(optsIn))) throw invalidArgument('listEvents', 'opts', optsIn, 'an options object or undefined');
  const opts: EventListOptions = optsIn ?? {};
  if (opts.pattern !== undefined && (typeof opts.pattern !== 'string' || opts.pattern.length > 4096)) throw invalidArgument('listEvents', 'pattern', opts.pattern, 'a string (a glob such as "sched:*") of at most 4096 characters');
  const ctx = new ResolveContext(opts);
  const match = matcher(opts.pattern);
  const out: EventListing[] = [];
  for (const e of entries(ctx)) {
    if (!match(e.name)) continue;
    const item: EventListing = { name: e.name, pmu: e.pmu, kind: e.kind };
    let status: { status: FeatureStatus; errnoName?: string } | undefined;
    if (opts.kernel && !e.template) {
      try {
        const ev = resolveEvent(e.name, { ...opts, capabilities: undefined, ...(ctx.environment ? { environment: ctx.environment } : {}) });
        status = openStatus(opts.kernel, ev.attr);
      } catch (err) {
        if (!(err instanceof PerfcompatError)) throw err;
        status = { status: 'error' };
      }
    } else if (opts.capabilities) {
      const f = opts.capabilities.features?.[e.featureId];
      if (f) status = f.errnoName !== undefined ? { status: f.status, errnoName: f.errnoName } : { status: f.status };
    }
    if (status) {
      item.status = status.status;
      if (status.errnoName !== undefined) item.errnoName = status.errnoName;
    }
    out.push(item);
  }
  return out;
}

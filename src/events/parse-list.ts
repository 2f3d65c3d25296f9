/**
 * The entry points of event-name resolution: resolveEvent (one event) and
 * parseEventList (a perf -e list with {} groups).
 */
import { invalidArgument } from '../abi/args';
import { PerfcompatError } from '../errors';
import { logger } from '../sys/log';
import { ResolveContext } from './context';
import { clip } from './event-error';
import { splitEventList, ListItem } from './list-syntax';
import { resolveOne, finishCandidate, Candidate } from './resolve-one';
import type { EventNameOptions, ResolvedEvent, ResolvedGroup } from './types';

const log = logger('events');

/** Rethrow anything that is not already ERR_EVENT_NAME as one (the parser is total). */
function guarded<T>(input: unknown, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PerfcompatError && e.code === 'ERR_EVENT_NAME') throw e;
    const shown = typeof input === 'string' ? clip(input, 80) : String(input);
    throw new PerfcompatError('ERR_EVENT_NAME', `event "${shown}": ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Groups of one item. A group holding a name that stands for one event on
 * each of several PMUs (a generic hardware event on a hybrid machine, a PMU
 * prefix such as uncore_imc, an alias several PMUs define) is repeated once
 * per PMU, as perf does — the kernel schedules a group on one PMU; members
 * that are not split are copied into every repetition. Tracepoint globs put
 * all their events into the group.
 */
function groupsOf(ctx: ResolveContext, item: ListItem): ResolvedGroup[] {
  if (item.kind === 'event') {
    return resolveOne(ctx, item.text).map((c) => [finishCandidate(ctx, c, '', item.text)]);
  }
  const members = item.events.map((t) => resolveOne(ctx, t));
  const splitPmus = [...new Set(members.flat().map((c) => c.splitPmu).filter((p): p is string => p !== undefined))];
  const build = (pick: (cands: Candidate[]) => Candidate[]): ResolvedEvent[] =>
    members.flatMap((cands) => pick(cands).map((c) => finishCandidate(ctx, cloneCandidate(c), item.modifiers, item.text)));
  const groups = splitPmus.length === 0 ? [build((c) => c)] : splitPmus
    .map((pmu) => build((cands) => (cands.some((c) => c.splitPmu !== undefined) ? cands.filter((c) => c.splitPmu === pmu) : cands)))
    .filter((g) => g.length > 0);
  // :W is the group's, never a member's: every repetition of the group is weak.
  return item.modifiers.includes('W') ? groups.map((g) => Object.assign(g, { weak: true as const })) : groups;
}

function cloneCandidate(c: Candidate): Candidate {
  const event: ResolvedEvent = { ...c.event, attr: { ...c.event.attr } };
  const out: Candidate = { event, state: { ...c.state } };
  if (c.corePmu !== undefined) out.corePmu = c.corePmu;
  if (c.splitPmu !== undefined) out.splitPmu = c.splitPmu;
  return out;
}

/** The options argument: undefined or an object (never null, which would be read as one). */
function optionsObject(fn: string, v: EventNameOptions | undefined): EventNameOptions {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidArgument(fn, 'opts', v, 'an options object or undefined');
  return v;
}

/**
 * Parse a perf-style event list: `a,b,{c,d}:u`. Each inner array is one group
 * (a bare event is a group of one); a group written `{…}:W` carries
 * `weak: true` (ResolvedGroup), which a caller opening groups itself reads as
 * "split into single events when the group cannot be scheduled". Throws
 * PerfcompatError('ERR_EVENT_NAME') naming the part that failed.
 */
export function parseEventList(list: string, optsIn?: EventNameOptions): ResolvedGroup[] {
  const opts = optionsObject('parseEventList', optsIn);
  return guarded(list, () => {
    const ctx = new ResolveContext(opts);
    const groups = splitEventList(list).flatMap((item) => groupsOf(ctx, item));
    if (log.enabled) log('parseEventList %s → %d group(s)', list, groups.length);
    return groups;
  });
}

/**
 * Resolve one event name. On a hybrid machine a generic hardware event
 * resolves to the boot CPU's core PMU (parseEventList gives one per core PMU);
 * a name that stands for several events (a glob) is an error naming them.
 */
export function resolveEvent(name: string, optsIn?: EventNameOptions): ResolvedEvent {
  const opts = optionsObject('resolveEvent', optsIn);
  return guarded(name, () => {
    const ctx = new ResolveContext(opts);
    const items = splitEventList(name);
    if (items.length !== 1 || items[0]!.kind !== 'event') {
      throw new PerfcompatError('ERR_EVENT_NAME', `event "${clip(name, 80)}": resolveEvent takes one event; use parseEventList for lists and {} groups`);
    }
    const text = items[0]!.text;
    let cands = resolveOne(ctx, text);
    if (cands.length > 1 && cands.every((c) => c.corePmu !== undefined)) {
      const boot = ctx.bootCorePmu()?.name;
      cands = cands.filter((c) => c.corePmu === boot).slice(0, 1);
    }
    if (cands.length !== 1) {
      const names = cands.map((c) => `${c.event.name}`);
      throw new PerfcompatError('ERR_EVENT_NAME',
        `event "${text}": matches ${cands.length} events (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''}); name one, or use parseEventList for all`);
    }
    const ev = finishCandidate(ctx, cands[0]!, '', text);
    if (log.enabled) log('resolveEvent %s → type %d config 0x%s', name, ev.attr.type, BigInt(ev.attr.config ?? 0).toString(16));
    return ev;
  });
}

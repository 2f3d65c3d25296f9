/**
 * `probe list [pattern]`: the events that open here, with their PMU, kind and
 * whether they work for this caller (from src/events listEvents).
 */
import type { EventListing } from '../../events';
import { colorStatus } from '../color';
import { COMMON_OPTIONS, EXIT, UsageError, flag, str, type Command } from '../command';
import { SUMMARIES } from './summaries';
import { loadCapabilities } from '../capabilities-source';
import { missingTextForAll } from '../stat/missing-text';
import { escapedCopy, fitLines, jsonText, padEnd, truncate } from '../text';
import { clipText } from '../../abi/args';
import { hardwareName, softwareName } from '../../events/generic-names';
import { globMatch, hasGlob } from '../../events/glob';

/** perf's other spellings of a generic event (context-switches OR cs), from the events module's name table. */
function aliasesOf(e: EventListing): string[] {
  if (e.kind !== 'hardware' && e.kind !== 'software') return [];
  return ((e.kind === 'hardware' ? hardwareName(e.name) : softwareName(e.name))?.spellings ?? []).filter((s) => s !== e.name);
}

/** Generic events one of whose aliases matches the pattern (probe list cs), not already listed. */
function byAlias(all: EventListing[], pattern: string, have: EventListing[]): EventListing[] {
  const match = (a: string): boolean => (hasGlob(pattern) ? globMatch(pattern, a) : a.toLowerCase().includes(pattern.toLowerCase()));
  return all.filter((e) => !have.some((h) => h.name === e.name) && aliasesOf(e).some(match));
}

/** Listings that cannot open here; shown only with --all. */
function opensHere(e: EventListing): boolean {
  return e.status === undefined || e.status === 'supported' || e.status === 'denied';
}


/** Tracepoints run to thousands: without a pattern they are counted, not listed. */
const TRACEPOINT_LIST_LIMIT = 50;
/** Opening an event can take tens of ms (tracepoints in a VM): open at most this many. */
const OPEN_LIMIT = 200;

/** Listing lines that stand for a syntax (mem:<addr>, rNNNN), not one event. */
function isTemplate(e: EventListing): boolean {
  return e.kind === 'raw' || /[<>]/.test(e.name);
}

/** Open each event once on this kernel (fd closed at once) and record its status. */
function openEach(events: EventListing[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveEvent, openStatus } = require('../../events') as typeof import('../../events');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { realKernel } = require('../../sys/real-kernel') as typeof import('../../sys/real-kernel');
  const kernel = realKernel();
  for (const e of events) {
    try {
      const r = openStatus(kernel, resolveEvent(e.name).attr);
      e.status = r.status;
      if (r.errnoName !== undefined) e.errnoName = r.errnoName;
    } catch {
      e.status = 'error';
    }
  }
}

/**
 * A pattern that names tracepoints (sched:*) matches nothing when tracefs
 * cannot be used: resolve it as stat -e would, so the answer is the same
 * ("tracefs is not mounted: …; mount it …"). Returns when tracefs is usable
 * or the pattern is no tracepoint (cycles:u).
 */
function explainUnusableTracefs(pattern: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { findTracefs } = require('../../env/tracefs') as typeof import('../../env/tracefs');
  if (findTracefs().ok) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveEvent } = require('../../events') as typeof import('../../events');
  resolveEvent(pattern);
}

export const listCommand: Command = {
  name: 'list',
  summary: SUMMARIES.list,
  help: `Usage: probe list [PATTERN] [--all] [--json] [--refresh]

List the events this machine has (generic hardware and cache events, software
events, PMU events from sysfs, tracepoints, breakpoints) with their PMU and
whether they open for this caller. PATTERN is a substring or a glob
('sched:*', '*cache*'). Tracepoints are listed only when a pattern selects
them.

Options:
  --all          also events that do not open here (no hardware, unsupported)
  --json         the listing as JSON
  --from FILE    take the statuses from a dump made by probe --json
  --refresh      ignore the cached capability map and probe again
  --no-color     no colour (also NO_COLOR=1); --color forces it
  -h, --help     this help`,
  options: { ...COMMON_OPTIONS, all: { type: 'boolean', short: 'a' }, json: { type: 'boolean' }, from: { type: 'string' } },
  maxPositionals: 1,
  positionalsHelp: '[PATTERN]',
  async run(args, io) {
    const pattern = args.positionals[0];
    const from = str(args, 'from');
    const capabilities = loadCapabilities({ ...(from !== undefined ? { from } : {}), refresh: flag(args, 'refresh') });
    const { listEvents } = await import('../../events');
    let events: EventListing[] = listEvents({ capabilities, ...(pattern !== undefined ? { pattern } : {}) });
    if (pattern !== undefined) events.push(...byAlias(listEvents({ capabilities }), pattern, events));
    let tracepointsHidden = 0;
    if (pattern === undefined) {
      const tps = events.filter((e) => e.kind === 'tracepoint');
      if (tps.length > TRACEPOINT_LIST_LIMIT) {
        tracepointsHidden = tps.length;
        events = events.filter((e) => e.kind !== 'tracepoint');
      }
    }
    // Events the map has no entry for (PMU events, tracepoints) are opened once here, if few enough.
    const unknown = events.filter((e) => e.status === undefined && !isTemplate(e));
    let notOpened = 0;
    if (from === undefined && unknown.length > 0) {
      if (unknown.length <= OPEN_LIMIT) openEach(unknown);
      else notOpened = unknown.length;
    }
    const hiddenNotHere = flag(args, 'all') ? 0 : events.filter((e) => !opensHere(e)).length;
    if (!flag(args, 'all')) events = events.filter(opensHere);
    if (flag(args, 'json')) {
      io.out(`${jsonText(events)}\n`);
      return EXIT.OK;
    }
    if (events.length === 0 && pattern !== undefined && hiddenNotHere === 0) {
      if (pattern.includes(':')) explainUnusableTracefs(pattern);
      throw new UsageError(`no event matches '${clipText(pattern, 200)}'; try a glob such as 'sched:*' or probe list --all`);
    }
    const p = io.palette;
    // Names, PMUs and errno names come from sysfs or a dump: shown with control characters escaped.
    events = escapedCopy(events);
    const shown = (e: EventListing): string => [e.name, ...aliasesOf(e)].join(' OR ');
    const nameWidth = Math.min(40, Math.max(5, ...events.map((e) => shown(e).length)));
    const pmuWidth = Math.min(14, Math.max(3, ...events.map((e) => e.pmu.length)));
    const lines = [p.bold(`${padEnd('EVENT', nameWidth)}  ${padEnd('PMU', pmuWidth)}  ${padEnd('KIND', 10)}  STATUS`)];
    for (const e of events) {
      const status = e.status === undefined ? p.dim(isTemplate(e) ? 'syntax, not one event' : 'not probed') : colorStatus(p, e.status) + (e.errnoName !== undefined ? ` ${e.errnoName}` : '');
      lines.push(`${padEnd(truncate(shown(e), nameWidth), nameWidth)}  ${padEnd(truncate(e.pmu, pmuWidth), pmuWidth)}  ${padEnd(e.kind, 10)}  ${status}`);
    }
    const notes: string[] = [`${events.length} ${events.length === 1 ? 'event' : 'events'}`];
    const noHardware = events.filter((e) => e.kind === 'hardware' && e.status === 'no-hardware').length;
    if (flag(args, 'all') && noHardware > 0) {
      notes.push(`${noHardware} hardware ${noHardware === 1 ? 'event is' : 'events are'} listed as no-hardware: ${missingTextForAll(capabilities.environment)} (perf list hides them; --all shows them with the kernel's answer)`);
    }
    if (notOpened > 0) notes.push(`${notOpened} not in the capability map and not opened (narrow the pattern to ${OPEN_LIMIT} or fewer)`);
    if (hiddenNotHere > 0) notes.push(`${hiddenNotHere} that do not open here hidden (--all shows them)`);
    if (tracepointsHidden > 0) notes.push(`${tracepointsHidden} tracepoints not listed (probe list 'sched:*')`);
    lines.push('', ...notes.flatMap((n) => fitLines(n, io.width, io.cut !== false)).map((l) => p.dim(l)));
    io.out(`${lines.join('\n')}\n`);
    return EXIT.OK;
  },
};

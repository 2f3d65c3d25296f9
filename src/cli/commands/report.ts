/**
 * `probe` (the default command): the readable report of this kernel, or the
 * CapabilityMap as JSON with --json.
 */
import { escapeControl, escapedCopy, jsonText } from '../text';
import { clipText } from '../../abi/args';
import { COMMON_OPTIONS, EXIT, UsageError, flag, str, type CliIO, type Command } from '../command';
import type { CapabilityMap } from '../../model/capability-map';
import { SUMMARIES } from './summaries';
import { loadCapabilities } from '../capabilities-source';
/* eslint-disable @typescript-eslint/no-require-imports */
// The filter and the formatter are required where used: `probe --json` needs neither.

/**
 * When every entry of the map is `error` (a fault of the moment: no fd, no
 * memory, ...), nothing was learnt: the cause, from the first entry. Else undefined.
 */
export function allFaults(map: CapabilityMap): string | undefined {
  const entries = Object.values(map.features);
  if (entries.length === 0 || !entries.every((e) => e.status === 'error')) return undefined;
  const first = entries[0]!;
  return clipText(first.errnoName !== undefined && first.reason === undefined ? first.errnoName : `${first.reason ?? 'no reason recorded'}${first.errnoName !== undefined ? ` (${first.errnoName})` : ''}`, 200);
}

function failUnusable(io: CliIO, cause: string): number {
  io.err(`probe: perf_event_open is not usable here: every probe ended in a fault of the moment, nothing was learnt: ${escapeControl(cause)}\n`);
  return EXIT.UNAVAILABLE;
}

export const reportCommand: Command = {
  name: 'report',
  summary: SUMMARIES.report,
  help: `Usage: probe [--all] [--only KIND|GLOB] [--json] [--refresh] [--from FILE]

Probe this kernel feature by feature and report what works, what is refused
and why, grouped by kind.

Options:
  --all              list every feature (default: only what matters: refused,
                     denied, anomalies and measured values)
  --only KIND|GLOB   only these features; a kind (attr, read_format,
                     event.hardware, combo ...) or a glob over ids
                     ('read_format.*', '*.lost'); comma-separated for several
  --json             print the CapabilityMap as JSON and nothing else
                     (schema: schema/capabilities.schema.json)
  --from FILE        report on a dump made by probe --json instead of probing
  --refresh          ignore the cached map and probe again
  --behaviour        also run the behaviour checks (behaviour.*: does the
                     kernel honour what it accepts? see probe test)
  --no-color         no colour (also NO_COLOR=1); --color forces it
  -h, --help         this help
  -V, --version      the perfcompat version

Commands: probe diff, probe explain, probe list, probe stat (probe CMD --help)`,
  options: {
    ...COMMON_OPTIONS,
    json: { type: 'boolean' },
    all: { type: 'boolean', short: 'a' },
    only: { type: 'string' },
    from: { type: 'string' },
    version: { type: 'boolean', short: 'V' },
    behaviour: { type: 'boolean' },
  },
  maxPositionals: 0,
  async run(args, io) {
    const from = str(args, 'from');
    const map = loadCapabilities({ ...(from !== undefined ? { from } : {}), refresh: flag(args, 'refresh'), behaviour: flag(args, 'behaviour') });
    let ids = Object.keys(map.features);
    const only = str(args, 'only');
    if (only !== undefined) {
      const { groupByKind, onlyMatcher } = require('../feature-groups') as typeof import('../feature-groups');
      const match = onlyMatcher(only);
      ids = ids.filter(match);
      if (ids.length === 0) {
        const kinds = clipText(groupByKind(Object.keys(map.features)).map((g) => g.kind).join(', '), 400);
        throw new UsageError(`--only '${clipText(only, 200)}' matches no feature id; valid kinds here: ${kinds}, or a glob such as 'read_format.*'`);
      }
    }
    const unusable = allFaults(map);
    if (flag(args, 'json')) {
      const out = only === undefined ? map : { ...map, features: Object.fromEntries(ids.map((id) => [id, map.features[id]])) };
      io.out(`${jsonText(out)}\n`);
      return unusable === undefined ? EXIT.OK : failUnusable(io, unusable);
    }
    const { formatReport } = require('../report-format') as typeof import('../report-format');
    const { engineVersion } = require('../../probe/engine-version') as typeof import('../../probe/engine-version');
    // A map from a dump (or a cache file) is file text: shown with control characters escaped.
    const shown = escapedCopy(map);
    const lines = formatReport(shown, { all: flag(args, 'all'), ids: ids.map(escapeControl), width: io.width, cut: io.cut !== false, palette: io.palette, version: engineVersion() });
    io.out(`${lines.join('\n')}\n`);
    return unusable === undefined ? EXIT.OK : failUnusable(io, unusable);
  },
};

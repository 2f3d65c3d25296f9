/**
 * `probe` (the default command): the readable report of this kernel, or the
 * CapabilityMap as JSON with --json.
 */
import { COMMON_OPTIONS, EXIT, UsageError, flag, str, type Command } from '../command';
import { SUMMARIES } from './summaries';
import { loadCapabilities } from '../capabilities-source';
/* eslint-disable @typescript-eslint/no-require-imports */
// The filter and the formatter are required where used: `probe --json` needs neither.

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
        const kinds = groupByKind(Object.keys(map.features)).map((g) => g.kind).join(', ');
        throw new UsageError(`--only '${only}' matches no feature id; valid kinds here: ${kinds}, or a glob such as 'read_format.*'`);
      }
    }
    if (flag(args, 'json')) {
      const out = only === undefined ? map : { ...map, features: Object.fromEntries(ids.map((id) => [id, map.features[id]])) };
      io.out(`${JSON.stringify(out, null, 2)}\n`);
      return EXIT.OK;
    }
    const { formatReport } = require('../report-format') as typeof import('../report-format');
    const { engineVersion } = require('../../probe/engine-version') as typeof import('../../probe/engine-version');
    const lines = formatReport(map, { all: flag(args, 'all'), ids, width: io.width, cut: io.cut !== false, palette: io.palette, version: engineVersion() });
    io.out(`${lines.join('\n')}\n`);
    return EXIT.OK;
  },
};

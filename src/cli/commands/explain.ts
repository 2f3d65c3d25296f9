/**
 * `probe explain <feature-id>`: one feature in full, with the shim's code path.
 * Unknown ids get a did-you-mean list and exit 2.
 */
import { escapeControl, escapedCopy, jsonText } from '../text';
import { clipText } from '../../abi/args';
import { ABI_FEATURES } from '../../abi/features';
import { COMMON_OPTIONS, EXIT, UsageError, flag, str, type Command } from '../command';
import { SUMMARIES } from './summaries';
import { loadCapabilities } from '../capabilities-source';
import { didYouMean } from '../did-you-mean';
import { formatExplain } from '../explain-text';
import { describeFeature } from '../feature-text';

/** Longer than any feature id (the longest today is about 60 characters); suggestions for more would take seconds. */
export const MAX_ID_LENGTH = 200;

export const explainCommand: Command = {
  name: 'explain',
  summary: SUMMARIES.explain,
  help: `Usage: probe explain FEATURE-ID [--json] [--from FILE] [--refresh]

Explain one feature: what it is (from the ABI tables), the mainline release
that added it, this kernel's answer with its errno, what the probe set and
needed first, any anomaly (backported / missing), and which code path the
shim takes because of it. Ids are those of probe --all, e.g. read_format.lost,
attr.sigtrap, event.hardware.cpu_cycles, combo.precise_ip.

Options:
  --json         the entry, its description and the shim path as JSON
  --from FILE    explain against a dump made by probe --json
  --refresh      ignore the cached map and probe again
  --no-color     no colour (also NO_COLOR=1); --color forces it
  -h, --help     this help`,
  options: { ...COMMON_OPTIONS, json: { type: 'boolean' }, from: { type: 'string' } },
  minPositionals: 1,
  maxPositionals: 1,
  positionalsHelp: 'FEATURE-ID',
  async run(args, io) {
    const id = args.positionals[0] as string;
    if (id.length > MAX_ID_LENGTH) {
      throw new UsageError(`feature id of ${id.length} characters ('${escapeControl(clipText(id, 40))}'); ids are at most ${MAX_ID_LENGTH} characters, probe --all lists them`);
    }
    const from = str(args, 'from');
    const map = loadCapabilities({ ...(from !== undefined ? { from } : {}), refresh: flag(args, 'refresh') });
    const known = new Set([...Object.keys(map.features), ...ABI_FEATURES.map((f) => f.id)]);
    if (!known.has(id)) {
      const near = didYouMean(id, known);
      const hint = near.length > 0 ? `did you mean ${near.join(', ')}?` : 'probe --all lists every feature id';
      throw new UsageError(`unknown feature id '${escapeControl(id)}'; ${hint}`);
    }
    const { shimPathFor } = await import('../../shim');
    const shimPath = shimPathFor(id, map);
    if (flag(args, 'json')) {
      const entry = Object.prototype.hasOwnProperty.call(map.features, id) ? map.features[id] : undefined;
      io.out(`${jsonText({ id, description: describeFeature(id) ?? null, kernel: map.kernel.release, entry: entry ?? null, shimPath: shimPath ?? null })}\n`);
      return EXIT.OK;
    }
    // The map's text (release, reason, errno names) may come from a dump: shown with control characters escaped.
    const lines = formatExplain({ id: escapeControl(id), map: escapedCopy(map), palette: io.palette, width: io.width, ...(shimPath !== undefined ? { shimPath: escapeControl(shimPath) } : {}) });
    io.out(`${lines.join('\n')}\n`);
    return EXIT.OK;
  },
};

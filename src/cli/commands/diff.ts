/**
 * `probe diff A.json [B.json]`: what changed between two dumps, or between a
 * dump and this kernel. Exit 1 when B lost a feature A supported (a CI gate).
 */
import { escapedCopy, jsonText } from '../text';
import { COMMON_OPTIONS, EXIT, flag, type Command } from '../command';
import { SUMMARIES } from './summaries';
import { capabilitiesHere } from '../capabilities-source';
import { diffToJson, formatDiff } from '../diff-format';
import { readCapabilityDump } from '../dump-file';
import { diffMaps } from '../../model/map-diff';

export const diffCommand: Command = {
  name: 'diff',
  summary: SUMMARIES.diff,
  help: `Usage: probe diff A.json [B.json] [--json] [--refresh]

Compare two capability dumps (made with probe --json), or A against this
kernel when B is left out: features gained, lost, now denied, errno or status
changed, measured values changed, PMUs added or removed.

Exit status: 0 when nothing A supported is missing in B, 1 when something was
lost (use it to gate a CI job on a new kernel), 2 on bad input.

Options:
  --json         the differences as JSON (schema perfcompat/capabilities-diff@1)
  --refresh      probe this kernel again instead of using the cache (no B)
  --no-color     no colour (also NO_COLOR=1); --color forces it
  -h, --help     this help`,
  options: { ...COMMON_OPTIONS, json: { type: 'boolean' } },
  minPositionals: 1,
  maxPositionals: 2,
  positionalsHelp: 'A.json [B.json]',
  async run(args, io) {
    const [fileA, fileB] = args.positionals as [string, string | undefined];
    const a = readCapabilityDump(fileA);
    const b = fileB !== undefined ? readCapabilityDump(fileB) : capabilitiesHere({ refresh: flag(args, 'refresh') });
    const d = diffMaps(a, b);
    if (flag(args, 'json')) io.out(`${jsonText(diffToJson(d))}\n`);
    // Releases, ids, errno names and reasons come from files: shown with control characters escaped.
    else io.out(`${formatDiff(escapedCopy(d), io.palette, io.width, io.cut !== false).join('\n')}\n`);
    return d.hasLoss ? EXIT.LOSS : EXIT.OK;
  },
};

/**
 * `probe test [--only …] [--json] [--cases DIR]`: run the behaviour checks
 * (accepted is not honoured) and print a perf-test-like list,
 * `N: description: Ok | FAILED (why) | Skip (why)`; exit 1 when one failed.
 */
import { COMMON_OPTIONS, EXIT, flag, strs, type Command } from '../command';
import { SUMMARIES } from './summaries';
import '../../root';
import { behaviourList, runBehaviourTests, type BehaviourOptions } from '../../probe/behaviour-runner';
import type { CapabilityMap } from '../../model/capability-map';
import type { Palette } from '../color';

type Line = ReturnType<typeof runBehaviourTests>[number];

function outcomeText(p: Palette, r: Line): string {
  const why = r.entry.reason !== undefined ? ` (${r.entry.reason})` : '';
  if (r.outcome === 'ok') return p.green('Ok');
  if (r.outcome === 'failed') return `${p.red('FAILED')}${why}`;
  return `${p.yellow('Skip')}${why || ` (${r.entry.status})`}`;
}

function measuredText(r: Line): string {
  const m = r.entry.measured;
  if (!m) return '';
  return Object.entries(m).map(([k, v]) => `      ${k}: ${String(v)}`).join('\n');
}

export const testCommand: Command = {
  name: 'test',
  summary: SUMMARIES.test,
  help: `Usage: probe test [N|NAME ...] [--only N|NAME ...] [--cases DIR]
                  [--json] [-v] [--list]

Run the behaviour checks: each opens events, does a known amount of work,
reads and judges the numbers (a counter counts, group reads are whole, ioctls
do what they say, samples arrive, ...). Prints one line per check:
  N: description: Ok | FAILED (why) | Skip (why)
Checks that need hardware this machine lacks are skipped with the reason.

Options:
  --only X       run only check X (number, name or behaviour.<name>);
                 repeatable or comma-separated; positionals work the same
  --cases DIR    also run the user cases in DIR (*.json declarations, or *.js
                 modules exporting one); repeatable
  --json         the results as JSON
  -v, --verbose  show what each check measured
  --list         list the checks without running them
  --no-color     no colour (also NO_COLOR=1); --color forces it
  -h, --help     this help

Exit status: 0 when nothing failed, 1 when a check failed, 2 usage error,
3 when perf_event_open is refused outright (every check denied).`,
  options: {
    ...COMMON_OPTIONS,
    only: { type: 'string', multiple: true },
    cases: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    list: { type: 'boolean', short: 'l' },
  },
  positionalsHelp: '[N|NAME ...]',
  async run(args, io) {
    const only = [...strs(args, 'only'), ...args.positionals].flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
    const cases = strs(args, 'cases');
    const opts: BehaviourOptions = { only, cases };
    const list = behaviourList(opts);
    const p = io.palette;
    if (flag(args, 'list')) {
      if (flag(args, 'json')) {
        io.out(`${JSON.stringify(list.map(({ check, source }, i) => ({ number: i + 1, id: `behaviour.${check.name}`, description: check.description, source })), null, 2)}\n`);
      } else {
        io.out(`${list.map(({ check }, i) => `${String(i + 1).padStart(2)}: ${check.description} [${check.name}]`).join('\n')}\n`);
      }
      return EXIT.OK;
    }
    const { assertLinux, capabilitiesHere } = await import('../capabilities-source');
    assertLinux();
    // A map is only needed to judge `needs`; built-in checks find out for themselves.
    if (list.some(({ check }) => (check.needs ?? []).length > 0)) {
      const capabilities: CapabilityMap = capabilitiesHere({ refresh: flag(args, 'refresh') });
      opts.capabilities = capabilities;
    }
    const results = runBehaviourTests(opts);
    const failed = results.some((r) => r.outcome === 'failed');
    // Every check refused outright (seccomp, paranoid 3, ENOSYS): perf_event_open is not usable here.
    const unusable = results.length > 0 && results.every((r) => r.outcome === 'skip' && (r.entry.status === 'denied' || r.entry.errnoName === 'ENOSYS'));
    const code = failed ? 1 : unusable ? EXIT.UNAVAILABLE : EXIT.OK;
    if (unusable) io.err(`probe: perf_event_open is not usable here: every check was refused (${results[0]!.entry.errnoName ?? results[0]!.entry.status})\n`);
    if (flag(args, 'json')) {
      io.out(`${JSON.stringify(results.map((r) => ({
        number: r.number, id: r.id, description: r.description, outcome: r.outcome, source: r.source, ...r.entry,
      })), null, 2)}\n`);
      return code;
    }
    for (const r of results) {
      io.out(`${String(r.number).padStart(2)}: ${r.description}: ${outcomeText(p, r)}\n`);
      if (flag(args, 'verbose')) {
        const m = measuredText(r);
        if (m) io.out(`${p.dim(m)}\n`);
      }
    }
    return code;
  },
};

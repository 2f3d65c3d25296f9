/**
 * `probe test [--only …] [--json] [--cases DIR]`: run the behaviour checks
 * (accepted is not honoured) and print a perf-test-like list,
 * `N: description: Ok | FAILED (why) | Skip (why)`; exit 1 when one failed.
 */
import { COMMON_OPTIONS, EXIT, UsageError, flag, str, strs, type CliIO, type Command } from '../command';
import { SUMMARIES } from './summaries';
import '../../root';
import { PerfcompatError } from '../../errors';
import { behaviourList, outcomeOf, runBehaviourTests, type BehaviourOptions } from '../../probe/behaviour-runner';
import { BEHAVIOUR_PREFIX } from '../../probe/behaviour-types';
import { DEFAULT_CASE_TIMEOUT_S, loadCaseItems, runCaseItem, type CaseItem } from '../case-runner';
import { escapeControl, jsonText } from '../text';
import type { CapabilityMap } from '../../model/capability-map';
import type { Palette } from '../color';

type Line = ReturnType<typeof runBehaviourTests>[number];

function outcomeText(p: Palette, r: Line): string {
  const why = r.entry.reason !== undefined ? ` (${escapeControl(r.entry.reason)})` : '';
  if (r.outcome === 'ok') return p.green('Ok');
  if (r.outcome === 'failed') return `${p.red('FAILED')}${why}`;
  return `${p.yellow('Skip')}${why || ` (${r.entry.status})`}`;
}

function measuredText(r: Line): string {
  const m = r.entry.measured;
  if (!m) return '';
  return Object.entries(m).map(([k, v]) => `      ${escapeControl(k)}: ${escapeControl(String(v))}`).join('\n');
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
                 modules exporting one); repeatable. A case is code that
                 runs as you: a .js case is a module, a JSON case's
                 work.exec runs any program. Run only cases you trust.
                 Each case runs in its own child process; one that takes
                 longer than --timeout, crashes or exits early is FAILED
  --timeout S    seconds each case may take (default ${DEFAULT_CASE_TIMEOUT_S})
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
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    list: { type: 'boolean', short: 'l' },
  },
  positionalsHelp: '[N|NAME ...]',
  async run(args, io) {
    const only = [...strs(args, 'only'), ...args.positionals].flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
    const cases = strs(args, 'cases');
    if (cases.length > 0) return runWithCases(only, cases, caseTimeout(str(args, 'timeout')), flag(args, 'list'), flag(args, 'json'), flag(args, 'verbose'), flag(args, 'refresh'), io);
    const opts: BehaviourOptions = { only, cases };
    const list = behaviourList(opts);
    if (flag(args, 'list')) {
      if (flag(args, 'json')) {
        io.out(`${jsonText(list.map(({ check, source }, i) => ({ number: i + 1, id: `behaviour.${check.name}`, description: check.description, source })))}\n`);
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
    return report(results, io, flag(args, 'json'), flag(args, 'verbose'));
  },
};

function report(results: Line[], io: CliIO, json: boolean, verbose: boolean): number {
    const p = io.palette;
    const failed = results.some((r) => r.outcome === 'failed');
    // Every check refused outright (seccomp, paranoid 3, ENOSYS): perf_event_open is not usable here.
    const unusable = results.length > 0 && results.every((r) => r.outcome === 'skip' && (r.entry.status === 'denied' || r.entry.errnoName === 'ENOSYS'));
    const code = failed ? 1 : unusable ? EXIT.UNAVAILABLE : EXIT.OK;
    if (unusable) io.err(`probe: perf_event_open is not usable here: every check was refused (${results[0]!.entry.errnoName ?? results[0]!.entry.status})\n`);
    if (json) {
      io.out(`${jsonText(results.map((r) => ({
        number: r.number, id: r.id, description: r.description, outcome: r.outcome, source: r.source, ...r.entry,
      })))}\n`);
      return code;
    }
    for (const r of results) {
      io.out(`${String(r.number).padStart(2)}: ${escapeControl(r.description)}: ${outcomeText(p, r)}\n`);
      if (verbose) {
        const m = measuredText(r);
        if (m) io.out(`${p.dim(m)}\n`);
      }
    }
    return code;
}

function caseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CASE_TIMEOUT_S;
  const s = Number(text);
  if (!Number.isFinite(s) || s <= 0 || s > 86_400) throw new UsageError(`probe test: --timeout '${escapeControl(text.slice(0, 40))}': expected seconds, a number above 0 and at most 86400`);
  return s;
}

/**
 * With --cases: the built-in checks run here as without; each user case is
 * listed and run in a child with a time limit (case-runner.ts), numbered
 * after the built-ins, and the exit status comes from the results gathered here.
 */
async function runWithCases(only: string[], dirs: string[], timeoutS: number, list: boolean, json: boolean, verbose: boolean, refresh: boolean, io: CliIO): Promise<number> {
  const builtins = behaviourList({});
  const items = loadCaseItems(dirs, timeoutS, io.err);
  const all: Array<{ name: string; description: string; source: string; needs?: string[]; item?: CaseItem }> = [
    ...builtins.map(({ check, source }) => ({ name: check.name, description: check.description, source, ...(check.needs ? { needs: check.needs.slice() } : {}) })),
    ...items.map((item) => ({ name: item.name, description: item.description, source: item.source, ...(item.needs ? { needs: item.needs } : {}), item })),
  ];
  const seen = new Map<string, string>();
  for (const c of all) {
    const prev = seen.get(c.name);
    if (prev !== undefined) throw new PerfcompatError('ERR_INVALID_ARGUMENT', `behaviour check name "${c.name}" in ${c.source} is already used by ${prev}; names must be unique`);
    seen.set(c.name, c.source);
  }
  const names = (w: string, c: { name: string }, i: number): boolean => w === String(i + 1) || w === c.name || w === BEHAVIOUR_PREFIX + c.name;
  for (const w of only) {
    if (!all.some((c, i) => names(w, c, i))) {
      throw new PerfcompatError('ERR_INVALID_ARGUMENT', `--only ${w}: no such behaviour check; valid are 1..${all.length} or ${all.map((c) => c.name).join(', ')}`);
    }
  }
  const chosen = all.map((c, i) => ({ ...c, number: i + 1 })).filter((c, i) => only.length === 0 || only.some((w) => names(w, c, i)));
  if (list) {
    if (json) io.out(`${jsonText(chosen.map((c) => ({ number: c.number, id: BEHAVIOUR_PREFIX + c.name, description: c.description, source: c.source })))}\n`);
    else io.out(`${chosen.map((c) => `${String(c.number).padStart(2)}: ${escapeControl(c.description)} [${escapeControl(c.name)}]${c.item?.failed !== undefined ? ` (not loaded: ${escapeControl(c.item.failed)})` : ''}`).join('\n')}\n`);
    return chosen.some((c) => c.item?.failed !== undefined) ? 1 : EXIT.OK;
  }
  const { assertLinux, capabilitiesHere } = await import('../capabilities-source');
  assertLinux();
  const capabilities: CapabilityMap | undefined = chosen.some((c) => (c.needs ?? []).length > 0) ? capabilitiesHere({ refresh }) : undefined;
  const builtinNames = chosen.filter((c) => c.item === undefined).map((c) => c.name);
  const results: Line[] = builtinNames.length === 0 ? []
    : runBehaviourTests({ only: builtinNames, ...(capabilities ? { capabilities } : {}) });
  for (const c of chosen) {
    if (c.item === undefined) continue;
    const entry = runCaseItem(c.item, capabilities, timeoutS, io.err);
    results.push({ number: c.number, id: BEHAVIOUR_PREFIX + c.name, name: c.name, description: c.description, outcome: outcomeOf(entry.status), entry, source: c.source });
  }
  return report(results, io, json, verbose);
}

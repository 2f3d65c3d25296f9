/**
 * `probe stat [-e EVENTS] [--] CMD [ARGS…]`: count a command like perf stat,
 * through the shim (EventSet.forCommand), saying which events fell back to
 * what and why, and scaling multiplexed counts. The exit status is the
 * command's own (128 + signal number when a signal ended it).
 */
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import { COMMON_OPTIONS, UsageError, strs, type Command, type OptionTable } from '../command';
import { SUMMARIES } from './summaries';
import { capabilitiesHere } from '../capabilities-source';
import { formatStat } from '../stat-format';

/** perf stat's software set, plus cycles and instructions (software stand-ins where there is no PMU). */
export const DEFAULT_STAT_EVENTS = ['task-clock', 'context-switches', 'cpu-migrations', 'page-faults', 'cycles', 'instructions'];

const OPTIONS: OptionTable = {
  ...COMMON_OPTIONS,
  events: { type: 'string', short: 'e', multiple: true },
  strict: { type: 'boolean' },
};

export const statCommand: Command = {
  name: 'stat',
  summary: SUMMARIES.stat,
  help: `Usage: probe stat [-e EVENTS] [--strict] [--] CMD [ARGS...]

Run CMD and count it from its exec to its exit (children included), like
perf stat, through the shim: events this kernel cannot count as asked are
adapted and every adaptation is listed with its reason; counts of events that
shared the PMU (multiplexed) are scaled, and the scale factor is shown.

Default events: ${DEFAULT_STAT_EVENTS.slice(0, 4).join(',')},
${DEFAULT_STAT_EVENTS.slice(4).join(',')} (cycles and instructions fall back to
cpu-clock / task-clock time where there is no hardware PMU; the line says so).

Options:
  -e, --events EVENTS  comma-separated event list in perf syntax; repeatable
                       (the shim groups events so they are scheduled together)
  --strict             refuse adaptations instead of making them
  --refresh            probe this kernel again instead of using the cache
  --no-color           no colour (also NO_COLOR=1); --color forces it
  -h, --help           this help

Exit status: the command's own (128+N when signal N ended it); 2 on bad
input, 3 when perf_event_open is not usable here.`,
  options: OPTIONS,
  minPositionals: 1,
  positionalsHelp: 'CMD [ARGS...]',
  split(argv) {
    // Everything from the first word that is not an option (or after "--") is the command.
    const { tokens } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
    const at = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
    if (at === undefined) return [argv, []];
    const own = argv.slice(0, at.index);
    const cmd = argv.slice(at.kind === 'option-terminator' ? at.index + 1 : at.index);
    // The command goes back in as positionals after "--" so the positional count check sees it.
    return [[...own, '--', ...cmd], cmd];
  },
  async run(args, io, passthrough) {
    const argv = passthrough.length > 0 ? passthrough : args.positionals;
    if (argv.length === 0) throw new UsageError('probe stat: missing the command to count; usage: probe stat [-e EVENTS] -- CMD [ARGS...]');
    // The map first: it says why when perf_event_open is unusable here (exit 3), and the shim adapts to it.
    const capabilities = capabilitiesHere({ refresh: args.values.refresh === true });
    const events = strs(args, 'events').flatMap(statEventNames);
    const { EventSet } = await import('../../shim');
    const started = process.hrtime.bigint();
    const counts = await EventSet.forCommand(argv, {
      events: events.length > 0 ? events : DEFAULT_STAT_EVENTS,
      capabilities,
      policy: args.values.strict === true ? { strict: true } : { fallback: 'software', allowPreciseDowngrade: true },
    });
    const elapsedNs = process.hrtime.bigint() - started;
    io.err(`${formatStat(counts, { elapsedNs, palette: io.palette, width: io.width }).join('\n')}\n`);
    if (counts.exitCode !== null) return counts.exitCode;
    const signo = counts.signal !== null ? (constants.signals as Record<string, number>)[counts.signal] : undefined;
    return 128 + (signo ?? 0);
  },
};

/**
 * The event names of an -e list for EventSet.add, split by the events
 * module's list parser (commas inside pmu/.../ terms and mem:ADDR/LEN belong
 * to the event). `{}` groups are flattened, because the EventSet forms groups
 * itself; a group modifier (`{a,b}:u`) would then apply to nothing, so it is
 * refused, naming the group.
 */
export function statEventNames(list: string): string[] {
  // Loaded on use: the CLI's start-up does not pay for the events module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { splitEventList } = require('../../events') as typeof import('../../events');
  return splitEventList(list).flatMap((item) => {
    if (item.kind === 'event') return [item.text];
    if (item.modifiers !== '') {
      throw new UsageError(`probe stat: -e ${item.text}: group modifiers are not applied by probe stat (it forms its own groups); put them on each event, e.g. {${item.events.map((e) => `${e}:${item.modifiers}`).join(',')}}`);
    }
    return item.events;
  });
}

/**
 * `probe stat [-e EVENTS] [options] [--] CMD [ARGS…]`: count a command (or
 * processes, or CPUs) like perf stat, through the shim, saying which events
 * fell back to what and why, and scaling multiplexed counts. The exit status
 * is the command's own (128 + signal number when a signal ended it); after
 * Ctrl-C probe dies by SIGINT as perf does, unless the command exited with a
 * status of its own.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import { COMMON_OPTIONS, UsageError, strs, type CliIO, type Command, type OptionTable } from '../command';
import { SUMMARIES } from './summaries';
import { capabilitiesHere } from '../capabilities-source';
import { palette } from '../color';
import { commandTarget, formatStat, INTERVAL_HEADER, intervalLines } from '../stat-format';
import { csvLines, jsonLines } from '../stat/machine-format';
import { statOptions, STAT_OPTIONS, type StatOptions } from '../stat/options';
import { runSession, type SessionResult } from '../stat/session';

/** perf stat's software set, plus cycles and instructions (software stand-ins where there is no PMU). */
export const DEFAULT_STAT_EVENTS = ['task-clock', 'context-switches', 'cpu-migrations', 'page-faults', 'cycles', 'instructions'];

const OPTIONS: OptionTable = { ...COMMON_OPTIONS, ...STAT_OPTIONS };

export const statCommand: Command = {
  name: 'stat',
  summary: SUMMARIES.stat,
  help: `Usage: probe stat [-e EVENTS] [options] [--] CMD [ARGS...]
       probe stat [-e EVENTS] [options] -p PID | -a | -C CPUS [-- CMD...]

Run CMD and count it from its exec to its exit (children included), like
perf stat, through the shim: events this kernel cannot count as asked are
adapted and every adaptation is listed with its reason; counts of events that
shared the PMU (multiplexed) are scaled, and the share is shown. An event this
kernel refuses prints <not supported> and the command still runs.
"time elapsed" runs from the command's exec to its exit.

Default events: ${DEFAULT_STAT_EVENTS.slice(0, 4).join(',')},
${DEFAULT_STAT_EVENTS.slice(4).join(',')} (cycles and instructions fall back to
cpu-clock / task-clock time where there is no hardware PMU; the line says so).

Options:
  -e, --events EVENTS  comma-separated event list in perf syntax; repeatable
  -r, --repeat N       run CMD N times; print the mean and ( +- x% ) stddev
  -x, --field-separator SEP
                       CSV as perf: value,unit,event,run time,% running,
                       metric,metric unit
  -j, --json           one JSON object per event and line, as perf stat -j
                       (schema/stat.schema.json)
  -p, --pid PID[,PID]  count every thread of running processes until they
                       exit (or CMD exits, or Ctrl-C)
  -a, --all-cpus       count every online CPU (needs CAP_PERFMON, or
                       CAP_SYS_ADMIN at Debian/Ubuntu's paranoid 3 and 4,
                       or kernel.perf_event_paranoid <= 0)
  -C, --cpu CPUS       count these CPUs (0-3,5), as -a
  -I, --interval-print MS
                       print the counts of every MS milliseconds (10 or more)
  -o, --output FILE    write the report to FILE instead of stderr
  --strict             refuse adaptations instead of making them (refused
                       events print <not supported>)
  --refresh            probe this kernel again instead of using the cache
  --no-color           no colour (also NO_COLOR=1); --color forces it
  -h, --help           this help

Ctrl-C prints the counts so far, as perf does.

Exit status: the command's own (128+N when signal N ended it); after
Ctrl-C probe ends by SIGINT (130 in a shell) unless the command exited with
a status. Without a command (-p, -a, -C): 0. probe's own errors: 2 on bad
input (an unknown event name, a bad option), 3 when perf_event_open is not
usable here or CPU-wide / process counting is not permitted.`,
  options: OPTIONS,
  positionalsHelp: 'CMD [ARGS...]',
  split(argv) {
    // Everything from the first word that is not an option (or after "--") is the command.
    const { tokens } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
    const at = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
    if (at === undefined) return [argv, []];
    const own = argv.slice(0, at.index);
    const cmd = argv.slice(at.kind === 'option-terminator' ? at.index + 1 : at.index);
    return [[...own, '--', ...cmd], cmd];
  },
  async run(args, io, passthrough) {
    const argv = passthrough.length > 0 ? passthrough : args.positionals;
    const listed = strs(args, 'events').flatMap(statEventNames);
    const o = statOptions(args, listed.length > 0 ? listed : DEFAULT_STAT_EVENTS, argv.length > 0);
    // The map first: it says why when perf_event_open is unusable here (exit 3), and the shim adapts to it.
    const capabilities = capabilitiesHere({ refresh: args.values.refresh === true });
    const emit = sink(o, io);
    if (o.intervalMs !== undefined && o.csv === undefined && !o.json) emit([INTERVAL_HEADER]);
    const env = capabilities.environment;
    const r = await runSession(argv, o, capabilities, o.strict ? { strict: true } : { fallback: 'software', allowPreciseDowngrade: true }, {
      interval(at, rows, ns) {
        emit(o.csv !== undefined ? csvLines(rows, ns, o.csv, at) : o.json ? jsonLines(rows, ns, at) : intervalLines(at, rows, ns, env, o.output !== undefined ? palette(false) : io.palette));
      },
    });
    if (r.exit?.signal != null && r.interrupted) io.err(`${argv[0]}: ${r.exit.signal}\n`);
    if (o.intervalMs === undefined) emit(report(r, o, argv, io, env));
    return exitStatus(r, io);
  },
};

function targetOf(o: StatOptions, argv: string[]): string {
  if (o.pids !== undefined) return `process id '${o.pids.join(',')}'`;
  if (o.cpus !== undefined) return `'${o.cpus.length > 1 ? 'system wide' : `CPU(s) ${o.cpus.join(',')}`}'`;
  return commandTarget(argv);
}

function report(r: SessionResult, o: StatOptions, argv: string[], io: CliIO, env: NonNullable<Parameters<typeof formatStat>[0]['environment']>): string[] {
  const elapsed = r.elapsedNs.reduce((a, b) => a + b, 0) / Math.max(1, r.elapsedNs.length);
  if (o.csv !== undefined) return csvLines(r.rows, elapsed, o.csv);
  if (o.json) return jsonLines(r.rows, elapsed);
  return formatStat({
    target: targetOf(o, argv), rows: r.rows, elapsedNs: r.elapsedNs, ...(r.cpu !== undefined ? { cpu: r.cpu } : {}),
    splits: r.splits, adaptations: r.adaptations, environment: env,
  }, { palette: o.output !== undefined ? palette(false) : io.palette, width: io.width });
}

/** Where the report goes: stderr, as perf, or the -o FILE (begun with perf's "# started on" line). */
function sink(o: StatOptions, io: CliIO): (lines: string[]) => void {
  if (o.output === undefined) return (lines) => { io.err(`${lines.join('\n')}\n`); };
  const file = o.output;
  try {
    writeFileSync(file, `# started on ${ctime(new Date())}\n\n`);
  } catch (e) {
    throw new UsageError(`probe stat: -o ${file}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return (lines) => { appendFileSync(file, `${lines.join('\n')}\n`); };
}

/** C's ctime() layout, as perf's "# started on" line: "Wed Dec  2 05:45:15 2026". */
export function ctime(d: Date): string {
  const [day, mon] = [d.toLocaleString('en-US', { weekday: 'short' }), d.toLocaleString('en-US', { month: 'short' })];
  const t = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  return `${day} ${mon} ${String(d.getDate()).padStart(2)} ${t} ${d.getFullYear()}`;
}

function exitStatus(r: SessionResult, io: CliIO): number {
  const sigint = (constants.signals as Record<string, number>).SIGINT;
  if (r.interrupted && (r.exit === null || r.exit.signal !== null)) {
    io.raise?.('SIGINT');
    return 128 + sigint;
  }
  if (r.exit === null) return 0;
  if (r.exit.code !== null) return r.exit.code;
  const signo = (constants.signals as Record<string, number>)[r.exit.signal ?? ''];
  return 128 + (signo ?? 0);
}

/**
 * The event names of an -e list for EventSet.add, split by the events
 * module's list parser (commas inside pmu/.../ terms and mem:ADDR/LEN belong
 * to the event). `{}` groups are flattened, because the EventSet forms groups
 * itself; a group modifier (`{a,b}:u`) would then apply to nothing, so it is
 * refused, naming the group.
 */
export function statEventNames(list: string): string[] {
  // Loaded on use, and only the list syntax: neither the CLI's start-up nor stat pays for
  // listing events (list-events, open-status), which src/events/index would bring in.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { splitEventList } = require('../../events/list-syntax') as typeof import('../../events/list-syntax');
  return splitEventList(list).flatMap((item) => {
    if (item.kind === 'event') return [item.text];
    if (item.modifiers !== '') {
      throw new UsageError(`probe stat: -e ${item.text}: group modifiers are not applied by probe stat (it forms its own groups); put them on each event, e.g. {${item.events.map((e) => `${e}:${item.modifiers}`).join(',')}}`);
    }
    return item.events;
  });
}

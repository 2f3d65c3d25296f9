/**
 * probe stat's options, checked: -r N, -x SEP, --json, -p PID[,PID], -a,
 * -C CPUS, -I MS, -o FILE. Bad input is a UsageError naming the option and
 * what would be valid.
 */
import { UsageError, flag, str, type OptionTable, type ParsedArgs } from '../command';
import { onlineCpus } from '../../env/proc-tasks';

export const STAT_OPTIONS: OptionTable = {
  events: { type: 'string', short: 'e', multiple: true },
  strict: { type: 'boolean' },
  repeat: { type: 'string', short: 'r' },
  'field-separator': { type: 'string', short: 'x' },
  json: { type: 'boolean', short: 'j' },
  pid: { type: 'string', short: 'p' },
  'all-cpus': { type: 'boolean', short: 'a' },
  cpu: { type: 'string', short: 'C' },
  'interval-print': { type: 'string', short: 'I' },
  output: { type: 'string', short: 'o' },
};

export interface StatOptions {
  repeat: number;
  csv?: string;
  json: boolean;
  pids?: number[];
  cpus?: number[];
  intervalMs?: number;
  output?: string;
  strict: boolean;
  events: string[];
}

function posInt(args: ParsedArgs, name: string, flagName: string, min: number, what: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`probe stat: ${flagName} '${v}' is not ${what}`);
  return Number(v);
}

export function statOptions(args: ParsedArgs, events: string[], hasCommand: boolean): StatOptions {
  const o: StatOptions = { repeat: posInt(args, 'repeat', '-r', 1, 'a number of runs (1 or more)') ?? 1, json: flag(args, 'json'), strict: flag(args, 'strict'), events };
  const sep = str(args, 'field-separator');
  if (sep !== undefined) {
    if (sep === '') throw new UsageError("probe stat: -x needs a separator, e.g. -x , or -x ';'");
    o.csv = sep;
  }
  if (o.csv !== undefined && o.json) throw new UsageError('probe stat: -x SEP and --json are two output formats; pick one');
  const pid = str(args, 'pid');
  if (pid !== undefined) {
    const pids = pid.split(',').map((x) => x.trim());
    if (pids.some((x) => !/^\d+$/.test(x) || Number(x) === 0)) throw new UsageError(`probe stat: -p '${pid}' is not a process id list (e.g. -p 1234 or -p 1234,5678)`);
    o.pids = pids.map(Number);
  }
  const cpu = str(args, 'cpu');
  if (cpu !== undefined) {
    let list: number[];
    try {
      list = parseCpuOption(cpu);
    } catch (e) {
      throw new UsageError(`probe stat: -C ${(e as Error).message}`);
    }
    const online = onlineCpus();
    const off = list.filter((c) => !online.includes(c));
    if (off.length > 0) throw new UsageError(`probe stat: -C ${cpu}: CPU ${off.join(',')} is not online here (online: ${online.join(',')})`);
    o.cpus = list;
  } else if (flag(args, 'all-cpus')) {
    o.cpus = onlineCpus();
  }
  if (o.pids !== undefined && o.cpus !== undefined) throw new UsageError('probe stat: -p counts processes, -a/-C count CPUs; use one of them');
  const interval = posInt(args, 'interval-print', '-I', 10, 'an interval in milliseconds (10 or more)');
  if (interval !== undefined) o.intervalMs = interval;
  if (o.repeat > 1 && !hasCommand) throw new UsageError('probe stat: -r repeats a command; give one after --');
  if (o.repeat > 1 && o.intervalMs !== undefined) throw new UsageError('probe stat: -r and -I do not go together (perf refuses them too); use one');
  if (!hasCommand && o.pids === undefined && o.cpus === undefined) {
    throw new UsageError('probe stat: missing CMD [ARGS...] to count (or -p PID, -a, -C CPUS); usage: probe stat [-e EVENTS] -- CMD [ARGS...]');
  }
  const output = str(args, 'output');
  if (output !== undefined) o.output = output;
  return o;
}

/** -C "0-3,5" → [0,1,2,3,5]; throws a message naming the list on bad input. */
function parseCpuOption(list: string): number[] {
  const out = new Set<number>();
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`'${list}' is not a CPU list (e.g. 0, 0-3, 0,2-3)`);
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a) throw new Error(`'${part}' in '${list}' runs backwards`);
    for (let c = a; c <= b; c++) out.add(c);
  }
  return [...out].sort((x, y) => x - y);
}

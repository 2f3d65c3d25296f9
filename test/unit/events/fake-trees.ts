/**
 * Fake sysfs event_source and tracefs trees, built in a temp dir per test
 * file: a hybrid x86 (cpu_core + cpu_atom), numbered uncore PMUs, an energy
 * PMU with .scale/.unit, a PMU with split ranges and config1..3 formats, a
 * PMU without a type file; and a non-hybrid machine with one `cpu` PMU.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Tree = { [name: string]: string | Tree };

export function writeTree(root: string, tree: Tree): void {
  fs.mkdirSync(root, { recursive: true });
  for (const [name, v] of Object.entries(tree)) {
    const p = path.join(root, name);
    if (typeof v === 'string') fs.writeFileSync(p, v);
    else writeTree(p, v);
  }
}

const STD = {
  software: { type: '1\n' },
  tracepoint: { type: '2\n' },
  breakpoint: { type: '5\n' },
  msr: { type: '9\n', format: { event: 'config:0-63\n' }, events: { tsc: 'event=0x00\n', aperf: 'event=0x01\n' } },
};

export const HYBRID_SYSFS: Tree = {
  ...STD,
  cpu_core: {
    type: '4\n', cpus: '0-7\n',
    format: { event: 'config:0-7\n', umask: 'config:8-15\n', edge: 'config:18\n', any: 'config:21\n', inv: 'config:23\n', cmask: 'config:24-31\n' },
    events: { 'topdown-retiring': 'event=0x00,umask=0x80\n', 'topdown-retiring.scale': '4\n', 'mem-loads': 'event=0xcd,umask=0x1,ldlat=3\n' },
    caps: { max_precise: '3\n', pmu_name: 'alderlake_hybrid\n' },
  },
  cpu_atom: {
    type: '10\n', cpus: '8-11\n',
    format: { event: 'config:0-7\n', umask: 'config:8-15\n' },
    events: {},
    caps: { max_precise: '3\n' },
  },
  uncore_imc_0: {
    type: '20\n', cpumask: '0\n',
    format: { event: 'config:0-7\n', umask: 'config:8-15\n' },
    events: { cas_count_read: 'event=0x04,umask=0x03\n', 'cas_count_read.scale': '6.103515625e-5\n', 'cas_count_read.unit': 'MiB\n' },
  },
  uncore_imc_1: {
    type: '21\n', cpumask: '0\n',
    format: { event: 'config:0-7\n', umask: 'config:8-15\n' },
    events: { cas_count_read: 'event=0x04,umask=0x03\n', 'cas_count_read.scale': '6.103515625e-5\n', 'cas_count_read.unit': 'MiB\n' },
  },
  power: {
    type: '22\n', cpumask: '0\n',
    format: { event: 'config:0-7\n' },
    events: { 'energy-pkg': 'event=0x02\n', 'energy-pkg.scale': '2.3283064365386962890625e-10\n', 'energy-pkg.unit': 'Joules\n' },
  },
  splitter: {
    type: '30\n',
    format: { lo: 'config:0-7,32-35\n', bit: 'config:63\n', wide: 'config1:0-15\n', c2: 'config2:0-3\n', c3: 'config3:4-11\n', bad: 'cfg:zz\n' },
    events: { param: 'lo=0x1,wide=?\n', both: 'lo=0x2,c2=0x3\n' },
    caps: { branches: '32\n' },
  },
  notype: { format: { event: 'config:0-7\n' }, events: { x: 'event=1\n' } },
};

export const PLAIN_SYSFS: Tree = {
  ...STD,
  cpu: {
    type: '4\n',
    format: { event: 'config:0-7\n', umask: 'config:8-15\n' },
    events: { 'cpu-cycles': 'event=0x3c\n', instructions: 'event=0xc0\n' },
    caps: { max_precise: '3\n' },
  },
};

export const NO_CORE_SYSFS: Tree = { ...STD };

export const TRACEFS: Tree = {
  available_events: 'sched:sched_switch\n',
  events: {
    header_page: 'x\n',
    enable: '0\n',
    sched: {
      enable: '0\n',
      sched_switch: { id: '316\n', format: 'name: sched_switch\n' },
      sched_wakeup: { id: '318\n' },
      sched_wakeup_new: { id: '319\n' },
    },
    syscalls: { sys_enter_read: { id: '600\n' }, sys_exit_read: { id: '601\n' } },
    ftrace: { function: { format: 'x\n' } },
    broken: { bad_id: { id: 'zzz\n' } },
  },
};

export interface Trees {
  base: string;
  hybrid: string;
  plain: string;
  noCore: string;
  tracefs: string;
  /** A directory that exists but holds no events/ (tracefs not mounted). */
  emptyTracefs: string;
  cleanup(): void;
}

export function makeTrees(): Trees {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-events-'));
  const t: Trees = {
    base,
    hybrid: path.join(base, 'hybrid'),
    plain: path.join(base, 'plain'),
    noCore: path.join(base, 'nocore'),
    tracefs: path.join(base, 'tracing'),
    emptyTracefs: path.join(base, 'empty-tracing'),
    cleanup: () => fs.rmSync(base, { recursive: true, force: true }),
  };
  writeTree(t.hybrid, HYBRID_SYSFS);
  writeTree(t.plain, PLAIN_SYSFS);
  writeTree(t.noCore, NO_CORE_SYSFS);
  writeTree(t.tracefs, TRACEFS);
  fs.mkdirSync(t.emptyTracefs);
  return t;
}

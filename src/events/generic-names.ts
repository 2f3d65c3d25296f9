/**
 * perf's names for the generic hardware and software events, with every
 * alias perf accepts. Ids come from the ABI tables (HW_EVENTS, SW_EVENTS).
 */
import { HW_EVENTS, SW_EVENTS, AbiValue } from '../abi/constants';

export interface GenericName {
  /** perf's canonical spelling. */
  readonly canonical: string;
  /** All spellings perf accepts, canonical first. */
  readonly spellings: readonly string[];
  /** The ABI table entry (its name is the feature-id suffix). */
  readonly abi: AbiValue;
}

function byAbiName(table: readonly AbiValue[], name: string): AbiValue {
  const v = table.find((e) => e.name === name);
  if (!v) throw new Error(`generic-names: ${name} is not in the ABI table`);
  return v;
}

function table(abi: readonly AbiValue[], rows: ReadonlyArray<[string, string[]]>): GenericName[] {
  return rows.map(([abiName, spellings]) => ({ canonical: spellings[0]!, spellings, abi: byAbiName(abi, abiName) }));
}

export const HARDWARE_NAMES: readonly GenericName[] = table(HW_EVENTS, [
  ['cpu_cycles', ['cycles', 'cpu-cycles']],
  ['instructions', ['instructions']],
  ['cache_references', ['cache-references']],
  ['cache_misses', ['cache-misses']],
  ['branch_instructions', ['branches', 'branch-instructions']],
  ['branch_misses', ['branch-misses']],
  ['bus_cycles', ['bus-cycles']],
  ['stalled_cycles_frontend', ['stalled-cycles-frontend', 'idle-cycles-frontend']],
  ['stalled_cycles_backend', ['stalled-cycles-backend', 'idle-cycles-backend']],
  ['ref_cpu_cycles', ['ref-cycles']],
]);

export const SOFTWARE_NAMES: readonly GenericName[] = table(SW_EVENTS, [
  ['cpu_clock', ['cpu-clock']],
  ['task_clock', ['task-clock']],
  ['page_faults', ['page-faults', 'faults']],
  ['context_switches', ['context-switches', 'cs']],
  ['cpu_migrations', ['cpu-migrations', 'migrations']],
  ['page_faults_min', ['minor-faults']],
  ['page_faults_maj', ['major-faults']],
  ['alignment_faults', ['alignment-faults']],
  ['emulation_faults', ['emulation-faults']],
  ['dummy', ['dummy']],
  ['bpf_output', ['bpf-output']],
  ['cgroup_switches', ['cgroup-switches']],
]);

const HW_BY_SPELLING = new Map<string, GenericName>();
for (const n of HARDWARE_NAMES) for (const s of n.spellings) HW_BY_SPELLING.set(s, n);
const SW_BY_SPELLING = new Map<string, GenericName>();
for (const n of SOFTWARE_NAMES) for (const s of n.spellings) SW_BY_SPELLING.set(s, n);

export function hardwareName(spelling: string): GenericName | undefined {
  return HW_BY_SPELLING.get(spelling);
}

export function softwareName(spelling: string): GenericName | undefined {
  return SW_BY_SPELLING.get(spelling);
}

/** perf's canonical name of a software event, by its SW_EVENTS name (cpu_clock → "cpu-clock"). */
export function softwareCanonical(abiName: string): string | undefined {
  return SOFTWARE_NAMES.find((n) => n.abi.name === abiName)?.canonical;
}

/** Every generic spelling (for suggestions). */
export function genericSpellings(): string[] {
  return [...HW_BY_SPELLING.keys(), ...SW_BY_SPELLING.keys()];
}

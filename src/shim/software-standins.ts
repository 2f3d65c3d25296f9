/**
 * Documented software stand-ins for hardware events, used only with
 * `policy: { fallback: 'software' }` when the hardware event has no PMU here.
 * A stand-in measures something related, in its own unit — it is an
 * approximation, and the opened event says so (substitutedFrom, unit).
 *
 * | hardware event | stand-in   | unit | what it approximates                          |
 * |----------------|------------|------|-----------------------------------------------|
 * | cpu_cycles     | cpu-clock  | ns   | cycles ≈ ns on CPU × clock frequency          |
 * | ref_cpu_cycles | cpu-clock  | ns   | reference cycles ≈ ns × nominal frequency     |
 * | bus_cycles     | cpu-clock  | ns   | bus cycles ≈ ns × bus frequency               |
 * | instructions   | task-clock | ns   | work done by the task, as time on CPU         |
 *
 * Cache, branch and stall events have no stand-in: nothing in software
 * approximates them, and a number that looks right but is not is worse than
 * a clear error.
 */
import { SW_EVENTS } from '../abi/constants';
import { softwareCanonical } from '../events/generic-names';

export interface SoftwareStandIn {
  /** HW_EVENTS name of the hardware event. */
  readonly hardware: string;
  /** SW_EVENTS name of the stand-in. */
  readonly software: string;
  /** perf's name of the stand-in. */
  readonly label: string;
  readonly unit: 'ns';
  readonly note: string;
}

const STANDINS: readonly Omit<SoftwareStandIn, 'label'>[] = [
  { hardware: 'cpu_cycles', software: 'cpu_clock', unit: 'ns', note: 'nanoseconds on CPU instead of cycles' },
  { hardware: 'ref_cpu_cycles', software: 'cpu_clock', unit: 'ns', note: 'nanoseconds on CPU instead of reference cycles' },
  { hardware: 'bus_cycles', software: 'cpu_clock', unit: 'ns', note: 'nanoseconds on CPU instead of bus cycles' },
  { hardware: 'instructions', software: 'task_clock', unit: 'ns', note: 'nanoseconds the task ran instead of instructions' },
];

/** The labels are perf's names, from the one event-name table (src/events/generic-names.ts). */
export const SOFTWARE_STANDINS: readonly SoftwareStandIn[] = STANDINS.map((s) => ({ ...s, label: softwareCanonical(s.software)! }));

export function standInFor(hardwareName: string): (SoftwareStandIn & { config: number }) | undefined {
  const s = SOFTWARE_STANDINS.find((x) => x.hardware === hardwareName);
  if (!s) return undefined;
  const sw = SW_EVENTS.find((e) => e.name === s.software)!;
  return { ...s, config: sw.value };
}

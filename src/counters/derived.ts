/**
 * Derived metrics, only where both events counted as themselves (a stand-in
 * never makes an IPC): ipc = instructions / cycles, cpusUtilized = task-clock
 * / elapsed wall time.
 */
import { Accumulator } from './stats';
import type { DerivedReport } from './types';
import type { CountedEvent } from './driver';

const CYCLES = new Set(['cycles', 'cpu-cycles']);

interface Ratio {
  from: [string, string];
  num: number;
  /** Index of the denominator event, or -1 for the elapsed time. */
  den: number;
  perRound: Accumulator;
  sumNum: number;
  sumDen: number;
}

function find(events: readonly CountedEvent[], names: ReadonlySet<string>): number {
  return events.findIndex((e) => e.standInFor === undefined && names.has(e.name));
}

export class Derived {
  private ipc: Ratio | undefined;
  private cpus: Ratio | undefined;

  constructor(events: readonly CountedEvent[]) {
    const ratio = (num: number, den: number, from: [string, string]): Ratio | undefined =>
      num < 0 || den < -1 ? undefined : { from, num, den, perRound: new Accumulator(), sumNum: 0, sumDen: 0 };
    const cycles = find(events, CYCLES);
    this.ipc = cycles < 0 ? undefined : ratio(find(events, new Set(['instructions'])), cycles, ['instructions', events[cycles]!.name]);
    this.cpus = ratio(find(events, new Set(['task-clock'])), -1, ['task-clock', 'elapsed']);
  }

  add(values: readonly (number | undefined)[], elapsedNs: number): void {
    for (const r of [this.ipc, this.cpus]) {
      if (!r) continue;
      const n = values[r.num];
      const d = r.den < 0 ? elapsedNs : values[r.den];
      if (n === undefined || d === undefined || d <= 0) continue;
      r.perRound.add(n / d);
      r.sumNum += n;
      r.sumDen += d;
    }
  }

  reset(): void {
    for (const r of [this.ipc, this.cpus]) {
      if (!r) continue;
      r.perRound = new Accumulator();
      r.sumNum = 0;
      r.sumDen = 0;
    }
  }

  report(): { ipc?: DerivedReport; cpusUtilized?: DerivedReport } {
    const one = (r: Ratio | undefined): DerivedReport | undefined =>
      r && r.perRound.n > 0 ? { value: r.sumNum / r.sumDen, perRound: r.perRound.stat(), from: r.from } : undefined;
    const ipc = one(this.ipc);
    const cpus = one(this.cpus);
    return { ...(ipc ? { ipc } : {}), ...(cpus ? { cpusUtilized: cpus } : {}) };
  }
}

/** Running min / max / total of a series of numbers; pure. */
import type { Stat } from './types';

export class Accumulator {
  n = 0;
  min = Infinity;
  max = -Infinity;
  total = 0;

  add(v: number): void {
    this.n++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.total += v;
  }

  /** The Stat so far; all zeros (with n 0) when nothing was added. */
  stat(): Stat {
    if (this.n === 0) return { min: 0, max: 0, mean: 0, total: 0 };
    return { min: this.min, max: this.max, mean: this.total / this.n, total: this.total };
  }
}

/** The @mitata/counters interface over perfcompat. */
export interface Stat { min: number; max: number; avg: number }
export interface Translated {
  cycles: Stat;
  instructions: Stat;
  branches: (Stat & { mispredicted: Stat }) | null;
  _bmispred: Stat;
  cache: Stat & { misses: Stat };
}
export interface MitataCounters {
  /** Opens the counters; throws a PerfcompatError where mitata's counters cannot count here. */
  init(): void;
  before(): void;
  after(): void;
  /** undefined when a counter did not count in any sample (mitata then prints no counter line). */
  translate(batch?: number, samples?: number): Translated | undefined;
  deinit(): void;
}
/** The perf event names behind each of mitata's counters. */
export declare const EVENTS: Readonly<Record<'cycles' | 'instructions' | 'branches' | 'branchMisses' | 'cacheReferences' | 'cacheMisses', string>>;
/** The interface over a provider with these options (a simulated kernel, its map). */
export declare function createCounters(options?: Record<string, unknown>): MitataCounters;
export declare const init: MitataCounters['init'];
export declare const before: MitataCounters['before'];
export declare const after: MitataCounters['after'];
export declare const translate: MitataCounters['translate'];
export declare const deinit: MitataCounters['deinit'];

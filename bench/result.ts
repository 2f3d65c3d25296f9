/** One benchmark figure, printed as a ratio against a baseline measured in the same run. */
export interface BenchResult {
  name: string;
  /** The measured figure (e.g. ns per call, records per second). */
  value: number;
  unit: string;
  /** The baseline's figure in the same unit, measured in the same run. */
  baseline?: number;
  /** value / baseline (for costs; for rates the bench says which way is better in `note`). */
  ratio?: number;
  note?: string;
}

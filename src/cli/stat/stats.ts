/**
 * perf stat's statistics over -r runs: the mean, the standard deviation of
 * the mean (sample variance / n, as perf's stddev_stats), the relative
 * "( +- x% )" and the digits perf shows for a mean with its stddev. Pure.
 */

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Standard deviation of the mean: sqrt(sample variance / n); 0 for fewer than 2 runs. */
export function stddevOfMean(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  const variance = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
  return Math.sqrt(variance / xs.length);
}

/** 100 × stddev / mean, 0 where the mean is 0. */
export function relativePct(stddev: number, avg: number): number {
  return avg === 0 ? 0 : (100 * stddev) / avg;
}

/** perf's "( +-  0.28% )" column, '' where the runs did not vary. */
export function noiseText(xs: readonly number[]): string {
  const pct = relativePct(stddevOfMean(xs), mean(xs));
  return xs.length > 1 && pct !== 0 ? `( +- ${pct.toFixed(2).padStart(5)}% )` : '';
}

/** Decimals that show two more significant digits than the stddev (perf's footer). */
export function footerPrecision(sd: number): number {
  if (!(sd > 0) || sd > 1) return 2;
  return Math.ceil(-Math.log10(sd)) + 2;
}

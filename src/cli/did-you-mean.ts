/**
 * Suggestions for a mistyped name: the candidates nearest by edit distance
 * (the same measure as event-name suggestions: Levenshtein with adjacent
 * transpositions), plus those sharing the last id segment. Pure.
 */

import { editDistance } from '../events/edit-distance';

export { editDistance };

/** Up to `max` candidates close to `input`, nearest first. */
export function didYouMean(input: string, candidates: Iterable<string>, max = 5): string[] {
  const needle = input.toLowerCase();
  const tail = needle.split('.').pop() ?? needle;
  const limit = Math.max(2, Math.floor(needle.length / 3));
  const scored: Array<{ c: string; d: number }> = [];
  for (const c of new Set(candidates)) {
    const lc = c.toLowerCase();
    let d = editDistance(needle, lc);
    // "lost" should find read_format.lost: a bare last segment or a suffix match counts as close.
    const cTail = lc.split('.').pop() ?? lc;
    if (d > limit && tail.length >= 3 && (cTail === tail || editDistance(tail, cTail) <= 1)) d = limit;
    if (d <= limit) scored.push({ c, d });
  }
  scored.sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.slice(0, max).map((s) => s.c);
}

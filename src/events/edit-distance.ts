/**
 * Close-match suggestions for names that do not resolve (Levenshtein
 * distance, bounded so that long inputs and long candidate lists stay cheap).
 */

const MAX_LEN = 64;

/**
 * Edit distance with adjacent transpositions (optimal string alignment:
 * "mrs" → "msr" is 1), or Infinity when it exceeds `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return Infinity;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return Infinity;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Up to `max` candidates within edit distance max(1, len/3) of `input`
 * (case-insensitive), closest first; [] for inputs longer than 64 characters.
 */
export function closeMatches(input: string, candidates: Iterable<string>, max = 3): string[] {
  if (input.length === 0 || input.length > MAX_LEN) return [];
  const needle = input.toLowerCase();
  const limit = Math.max(1, Math.floor(needle.length / 3));
  const scored: Array<[number, string]> = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c) || c.length > MAX_LEN) continue;
    seen.add(c);
    const d = editDistance(needle, c.toLowerCase(), limit);
    if (d <= limit) scored.push([d, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, max).map((s) => s[1]);
}

/** " (did you mean: a, b?)" or "". */
export function suggestion(input: string, candidates: Iterable<string>): string {
  const m = closeMatches(input, candidates);
  return m.length ? ` (did you mean ${m.map((x) => `"${x}"`).join(' or ')}?)` : '';
}

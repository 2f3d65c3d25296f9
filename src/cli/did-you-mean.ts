/**
 * Suggestions for a mistyped name: the candidates nearest by edit distance
 * (Levenshtein over characters), plus those sharing the last id segment. Pure.
 */

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n] as number;
}

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

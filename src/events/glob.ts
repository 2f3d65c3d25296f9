/**
 * Glob matching for tracepoint and listing patterns: * ? and [set] / [!set].
 * Iterative with one backtrack point, so O(pattern × text) — no regex, no
 * catastrophic backtracking on hostile patterns.
 */

export function hasGlob(s: string): boolean {
  return /[*?[]/.test(s);
}

/** Match a [..] class at p against ch; returns the index after ']' and whether it matched, or undefined if unterminated. */
function matchClass(p: string, pi: number, ch: string): { next: number; ok: boolean } | undefined {
  let i = pi + 1;
  let negate = false;
  if (p[i] === '!' || p[i] === '^') { negate = true; i++; }
  let ok = false;
  let first = true;
  while (i < p.length && (p[i] !== ']' || first)) {
    first = false;
    const lo = p[i]!;
    if (p[i + 1] === '-' && i + 2 < p.length && p[i + 2] !== ']') {
      const hi = p[i + 2]!;
      if (ch >= lo && ch <= hi) ok = true;
      i += 3;
    } else {
      if (ch === lo) ok = true;
      i += 1;
    }
  }
  if (i >= p.length) return undefined;
  return { next: i + 1, ok: ok !== negate };
}

export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = -1;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') { starP = ++p; starT = t; continue; }
    if (c === '?') { p++; t++; continue; }
    if (c === '[') {
      const m = matchClass(pattern, p, text[t]!);
      if (m === undefined) {
        if (text[t] === '[') { p++; t++; continue; } // unterminated: a literal '['
      } else if (m.ok) { p = m.next; t++; continue; }
    } else if (c !== undefined && c === text[t]) { p++; t++; continue; }
    if (starP >= 0) { p = starP; t = ++starT; continue; }
    return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

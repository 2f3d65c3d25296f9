/**
 * Plain-text layout helpers that know about ANSI escapes: visible width,
 * padding, truncation with an ellipsis, word wrapping. Pure.
 */
import { stripAnsi } from './color';

export function visibleLength(s: string): number {
  return [...stripAnsi(s)].length;
}

export function padEnd(s: string, width: number): string {
  const n = visibleLength(s);
  return n >= width ? s : s + ' '.repeat(width - n);
}

export function padStart(s: string, width: number): string {
  const n = visibleLength(s);
  return n >= width ? s : ' '.repeat(width - n) + s;
}

/** Cut plain text to `width` visible characters, ending in "…" when cut. */
export function truncate(s: string, width: number): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  if (width <= 1) return chars.slice(0, width).join('');
  return chars.slice(0, width - 1).join('') + '…';
}

/**
 * Greedy word wrap of plain text; the first line gets `first` columns, the rest
 * `rest`. A word longer than its line is cut with "…" unless `cutWords` is false
 * (then it stands alone on a longer line).
 */
export function wrapWords(text: string, first: number, rest: number = first, cutWords = true): string[] {
  const fitWord = cutWords ? truncate : (w: string): string => w;
  const words = text.split(/\s+/).filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const limit = lines.length === 0 ? first : rest;
    if (line === '') line = fitWord(w, limit);
    else if (visibleLength(line) + 1 + visibleLength(w) <= limit) line += ` ${w}`;
    else {
      lines.push(line);
      line = fitWord(w, rest);
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * Text in lines of `width` columns: on a terminal (`cut`) one line, cut with
 * "…"; for a pipe or file every word, wrapped onto as many lines as it takes.
 */
export function fitLines(text: string, width: number, cut: boolean): string[] {
  return cut ? [truncate(text, width)] : wrapWords(text, width, width, false);
}

/** Thousands separators for counts: 1234567 → "1,234,567". */
export function groupDigits(n: number | bigint): string {
  const s = typeof n === 'bigint' ? n.toString() : Math.round(n).toString();
  const neg = s.startsWith('-');
  const digits = neg ? s.slice(1) : s;
  return (neg ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

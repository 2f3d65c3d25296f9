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

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text that came from a file (a dump, a case, sysfs), safe to print on a
 * terminal: every control character (C0 incl. ESC, CR, LF and TAB; DEL; C1
 * incl. CSI and OSC) is shown as an escape (\n, \x1b, \u009b), so a file
 * cannot move the cursor, retitle the window or fake a line of output.
 */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => NAMED[c] ?? (c.charCodeAt(0) < 0x80 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * A deep copy of `value` for display, with escapeControl applied to every
 * string and every key (an id "__proto__" stays an own key). Numbers,
 * bigints and booleans are kept.
 */
export function escapedCopy<T>(value: T): T {
  if (typeof value === 'string') return escapeControl(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => escapedCopy(v)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as object)) {
    Object.defineProperty(out, escapeControl(k), { value: escapedCopy(v), enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}

/**
 * JSON for stdout: JSON.stringify escapes C0 characters already; DEL and the
 * C1 range it leaves raw are written as \u escapes too (the same JSON value).
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * ANSI colour, on only when stdout is a TTY, NO_COLOR is unset or empty and
 * --no-color was not given (--color forces it on). Pure apart from reading the
 * arguments it is given.
 */
import type { FeatureStatus } from '../model/capability-map';

export interface Palette {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
}

function wrap(enabled: boolean, open: number, close: number): (s: string) => string {
  return enabled ? (s) => `\u001b[${open}m${s}\u001b[${close}m` : (s) => s;
}

export function palette(enabled: boolean): Palette {
  return {
    enabled,
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    cyan: wrap(enabled, 36, 39),
    magenta: wrap(enabled, 35, 39),
  };
}

export function useColor(opts: { isTTY: boolean; env: NodeJS.ProcessEnv; noColorFlag: boolean; colorFlag: boolean }): boolean {
  if (opts.noColorFlag) return false;
  if (opts.env.NO_COLOR !== undefined && opts.env.NO_COLOR !== '') return false;
  if (opts.colorFlag) return true;
  return opts.isTTY;
}

export function colorStatus(p: Palette, status: FeatureStatus | 'absent', text: string = status): string {
  switch (status) {
    case 'supported': return p.green(text);
    case 'unsupported': return p.red(text);
    case 'broken': return p.red(text);
    case 'denied': return p.yellow(text);
    case 'error': return p.magenta(text);
    default: return p.dim(text);
  }
}

/** Strip ANSI escapes (for width computations and tests). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}

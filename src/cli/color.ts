/**
 * ANSI colour and the decision to use it. --no-color wins, then NO_COLOR (any
 * non-empty value, even over --color), then --color. Otherwise a terminal
 * decides with Node's own tty.WriteStream#hasColors(env), which honours
 * FORCE_COLOR, NODE_DISABLE_COLORS and TERM=dumb; a pipe or file gets colour
 * only from FORCE_COLOR, as Node's own tools do. Pure apart from reading the
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

/** What the colour decision needs to know about the output stream. */
export interface ColorTarget {
  isTTY: boolean;
  /** tty.WriteStream#hasColors, when the stream is a terminal. */
  hasColors?: (env: object) => boolean;
  env: NodeJS.ProcessEnv;
  noColorFlag: boolean;
  colorFlag: boolean;
}

/** FORCE_COLOR values that turn colour on (Node's own reading: 0, false and anything else turn it off). */
const FORCE_COLOR_ON = new Set(['', '1', '2', '3', 'true']);

export function useColor(opts: ColorTarget): boolean {
  if (opts.noColorFlag) return false;
  const noColor = opts.env.NO_COLOR !== undefined && opts.env.NO_COLOR !== '';
  if (noColor) return false;
  if (opts.colorFlag) return true;
  // hasColors counts an empty NO_COLOR as set; no-color.org (and --color above) do not.
  let env = opts.env;
  if (env.NO_COLOR === '') {
    env = { ...env };
    delete env.NO_COLOR;
  }
  if (opts.isTTY && opts.hasColors !== undefined) return opts.hasColors(env);
  if (env.FORCE_COLOR !== undefined) return FORCE_COLOR_ON.has(env.FORCE_COLOR);
  return opts.isTTY && env.NODE_DISABLE_COLORS === undefined && env.TERM !== 'dumb';
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

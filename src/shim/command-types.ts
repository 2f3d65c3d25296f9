/**
 * What EventSet.forCommand takes and returns. Its own module so event-set.ts
 * (which declares the static) and for-command.ts (which defines it) both
 * import these types without importing each other.
 */
import type { Adaptation, EventSpec, EventValue, MapSource, Policy, ReadPath } from './types';

export interface ForCommandOptions extends MapSource {
  events?: readonly (string | EventSpec)[];
  policy?: Policy;
  /** Environment and working directory of the command (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdio of the command (default 'inherit'). */
  stdio?: 'inherit' | 'ignore';
}

export interface CommandCounts {
  argv: string[];
  /** Exit code, or null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  values: EventValue[];
  readPath: ReadPath;
  groups: string[][];
  splits: string[];
  adaptations: (Adaptation & { event: string })[];
}

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
  /**
   * Skip an event the kernel or the policy refuses (listed in `refused`)
   * instead of failing the whole count; bad names still throw. Default false.
   */
  skipRefused?: boolean;
  /** Called once the command is released, with live reads of its counts (interval prints). */
  onRunning?: (live: { readValues(): EventValue[]; pid: number }) => void;
}

/** An event forCommand did not open (skipRefused), with the error that refused it. */
export interface RefusedEvent {
  event: string;
  /** Position of the event in `events`. */
  index: number;
  error: Error;
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
  /** Nanoseconds from the command's release to exec until its exit was seen (perf's "time elapsed"). */
  elapsedNs: bigint;
  /** Events refused and skipped (skipRefused); empty otherwise. */
  refused: RefusedEvent[];
}

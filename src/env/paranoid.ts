/** kernel.perf_event_paranoid: -1 … 4 (Debian/Android patch 3), or null when unreadable. */
import { join, readTrimmed } from './read-file';

export function readParanoid(procRoot: string): number | null {
  const t = readTrimmed(join(procRoot, 'sys', 'kernel', 'perf_event_paranoid'));
  return t !== null && /^-?\d+$/.test(t) ? Number(t) : null;
}

/** kernel.perf_user_access (arm64, 5.17+): 0 or 1, or null when absent (other architectures, older kernels) or unreadable. */
export function readPerfUserAccess(procRoot: string): number | null {
  const t = readTrimmed(join(procRoot, 'sys', 'kernel', 'perf_user_access'));
  return t !== null && /^\d+$/.test(t) ? Number(t) : null;
}

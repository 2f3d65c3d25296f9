/** Where tracefs is mounted, and tracepoint ids read from it. */
import { exists, join, readTrimmed } from './read-file';

export function findTracefs(sysfsRoot: string): string | null {
  for (const dir of [join(sysfsRoot, 'kernel', 'tracing'), join(sysfsRoot, 'kernel', 'debug', 'tracing')]) {
    if (exists(join(dir, 'events'))) return dir;
  }
  return null;
}

/** The id of tracepoint subsystem:name under a tracefs root, or null. */
export function readTracepointId(tracefs: string, subsystem: string, name: string): number | null {
  const t = readTrimmed(join(tracefs, 'events', subsystem, name, 'id'));
  return t !== null && /^\d+$/.test(t) ? Number(t) : null;
}

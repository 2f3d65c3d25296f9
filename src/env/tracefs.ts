/** Where tracefs is mounted (under a sysfs root, for fake trees), and tracepoint ids read from it. */
import { exists, join } from './read-file';
import { readTracepointId as lookUpTracepointId, TRACEFS_UNDER_SYS } from './tracepoint-files';

export function findTracefs(sysfsRoot: string): string | null {
  for (const rel of TRACEFS_UNDER_SYS) {
    const dir = join(sysfsRoot, rel);
    if (exists(join(dir, 'events'))) return dir;
  }
  return null;
}

/** The id of tracepoint subsystem:name under a tracefs root, or null. */
export function readTracepointId(tracefs: string, subsystem: string, name: string): number | null {
  const r = lookUpTracepointId(tracefs, subsystem, name);
  return 'id' in r ? r.id : null;
}

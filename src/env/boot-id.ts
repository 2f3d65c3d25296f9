/** The boot id (a UUID that changes on every boot): one part of the cache key. */
import { join, readTrimmed } from './read-file';

export function readBootId(procRoot: string): string | null {
  const t = readTrimmed(join(procRoot, 'sys', 'kernel', 'random', 'boot_id'));
  return t !== null && /^[0-9a-fA-F-]{16,64}$/.test(t) ? t.toLowerCase() : null;
}

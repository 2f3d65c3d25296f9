import fs from 'node:fs';

/** The fds open in this process now, each with what it points at ("anon_inode:[perf_event]", a path, "pipe:[…]"). */
export function openFds(): Map<string, string> {
  const out = new Map<string, string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try { out.set(fd, fs.readlinkSync(`/proc/self/fd/${fd}`)); } catch { /* the readdir's own fd, or closed meanwhile */ }
  }
  return out;
}

/** A perf event's fd, by what /proc/self/fd says it points at. */
export function isPerfFd(target: string): boolean {
  return target.includes('perf_event');
}

/**
 * What changed since `before` among the fds that `touches` says the code
 * under test could open or close: "+fd → target" for one opened and still
 * open, "-fd → target" for one that was open and is gone. An fd is the same
 * only with the same number and target, so a leak that reuses a closed fd's
 * number is still seen. Wait for off-thread closes (closesSettled) before
 * both snapshots where the code makes them.
 */
export function fdChanges(before: Map<string, string>, touches: (target: string) => boolean = () => true): string[] {
  const now = openFds();
  const out: string[] = [];
  for (const [fd, target] of now) if (before.get(fd) !== target && touches(target)) out.push(`+${fd} → ${target}`);
  for (const [fd, target] of before) if (now.get(fd) !== target && touches(target)) out.push(`-${fd} → ${target}`);
  return out;
}

/** perf fds opened since `before` and still open ("+fd → target"). */
export function leakedPerfFds(before: Map<string, string>): string[] {
  return fdChanges(before, isPerfFd).filter((c) => c.startsWith('+'));
}

import fs from 'node:fs';

/** The fds open in this process now (from /proc/self/fd, minus the one readdir used). */
export function openFds(): Set<string> {
  return new Set(fs.readdirSync('/proc/self/fd'));
}

/** fds open now that were not open in `before`, that point at perf events. */
export function leakedPerfFds(before: Set<string>): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    if (before.has(fd)) continue;
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).includes('perf_event')) out.push(fd);
    } catch { /* closed meanwhile */ }
  }
  return out;
}

/** Each open fd and what it points at ("anon_inode:[perf_event]", a path, "pipe:[…]"). */
export function fdTargets(): Map<string, string> {
  const out = new Map<string, string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try { out.set(fd, fs.readlinkSync(`/proc/self/fd/${fd}`)); } catch { /* the readdir's own fd, or closed meanwhile */ }
  }
  return out;
}

/**
 * fds open now that were not open in `before` (same number and target) and
 * that `mine` says the code under test could have opened, as "fd → target".
 * An fd that other work in this process (a libuv thread finishing an earlier
 * test's close) closed or opened meanwhile is neither a leak nor a miss.
 */
export function newFds(before: Map<string, string>, mine: (target: string) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const [fd, target] of fdTargets()) {
    if (before.get(fd) === target || !mine(target)) continue;
    out.push(`${fd} → ${target}`);
  }
  return out;
}

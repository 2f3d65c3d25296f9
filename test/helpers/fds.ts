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

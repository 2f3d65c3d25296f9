/**
 * Hints that perfcompat runs in a container or a VM. Hints only: nothing is
 * decided on them; they explain answers (a seccomp EPERM, a missing PMU).
 */
import { exists, join, readText } from './read-file';

export function readContainerHints(procRoot: string, rootDir: string | null): string[] {
  const hints: string[] = [];
  if (rootDir !== null && exists(join(rootDir, '.dockerenv'))) hints.push('/.dockerenv');
  if (rootDir !== null && exists(join(rootDir, 'run', '.containerenv'))) hints.push('/run/.containerenv (podman)');
  const environ = readText(join(procRoot, '1', 'environ'));
  if (environ !== null) {
    const m = /(?:^|\0)container=([^\0]*)/.exec(environ);
    if (m) hints.push(`container=${m[1]} in the environment of pid 1`);
  }
  const cgroup = readText(join(procRoot, 'self', 'cgroup'));
  if (cgroup !== null && /(docker|kubepods|containerd|libpod|lxc)/.test(cgroup)) {
    hints.push(`cgroup path names ${/(docker|kubepods|containerd|libpod|lxc)/.exec(cgroup)![1]}`);
  }
  const cpuinfo = readText(join(procRoot, 'cpuinfo'));
  if (cpuinfo !== null && /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo)) hints.push('hypervisor cpu flag');
  return hints;
}

/**
 * Processes and CPUs as procfs and sysfs list them: the threads of a process
 * (/proc/PID/task, as perf -p attaches to each), whether it still runs, the
 * CPU time of this process's waited-for children (/proc/self/stat
 * cutime/cstime, perf's "seconds user/sys" from wait4's rusage), and the
 * CPUs online. Used by probe stat and the counters provider's process scope.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc/PID/stat times on every Linux ABI. */
const USER_HZ = 100;

/** The threads of process `pid` (or of this process) now. */
export function threadsOf(pid: number | 'self'): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number).filter((t) => Number.isInteger(t) && t > 0).sort((a, b) => a - b);
}

export function processAlive(pid: number): boolean {
  try {
    // A zombie has exited: its threads are gone.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function processExists(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Seconds of user and system time of this process's children that were waited for (1/USER_HZ resolution). */
export function childrenCpuSeconds(): { user: number; sys: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5) (cutime, cstime); fields[0] is field 3 (state).
  return { user: Number(fields[13]) / USER_HZ, sys: Number(fields[14]) / USER_HZ };
}

/** CPUs this machine has online (/sys/devices/system/cpu/online), for -a. */
export function onlineCpus(): number[] {
  return parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8').trim());
}

/** A CPU list as sysfs writes it ("0-3,8,10-11"); parts that are not numbers are skipped. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    for (let i = a; i <= b && out.length < 65536; i++) out.push(i);
  }
  return out;
}

/**
 * What every benchmark needs for its C baseline: compile a program on the spot
 * and take medians. The open+close program is shared by the benchmarks that
 * compare against the cost of one perf_event_open.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Compile `source` as `name` in `dir`; null when there is no C compiler or header. */
export function compileC(dir: string, name: string, source: string): string | null {
  const src = path.join(dir, `${name}.c`);
  const bin = path.join(dir, name);
  fs.writeFileSync(src, source);
  try {
    execFileSync('cc', ['-O2', '-o', bin, src], { stdio: 'pipe' });
    return bin;
  } catch {
    return null;
  }
}

/** `open-close N TYPE CONFIG`: N perf_event_open + close of one event; prints total ns. */
export const OPEN_CLOSE_C = `
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 4) return 2;
  int n = atoi(argv[1]);
  unsigned type = (unsigned)atoi(argv[2]);
  unsigned long long config = strtoull(argv[3], 0, 0);
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a; a.type = type; a.config = config;
  a.disabled = 1; a.exclude_kernel = 1; a.exclude_hv = 1;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < n; i++) {
    int fd = (int)syscall(__NR_perf_event_open, &a, 0, -1, -1, 0);
    if (fd >= 0) close(fd);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%.0f\\n", (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec));
  return 0;
}
`;

/** Total ns of `n` open+close calls of (type, config) by the compiled OPEN_CLOSE_C. */
export function openCloseNs(bin: string, n: number, type: number, config: number | bigint): number {
  return Number(execFileSync(bin, [String(n), String(type), String(config)], { encoding: 'utf8' }).trim());
}

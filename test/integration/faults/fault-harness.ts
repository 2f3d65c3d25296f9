/**
 * Helpers for the real-fault tests: run the built project in a child process
 * (as another user, under a seccomp filter, with a lowered RLIMIT_NOFILE),
 * change a sysctl and put it back, compile a tiny C launcher on the spot.
 * Only the tests in this directory use it; they skip, saying why, when they
 * are not root or a tool is missing.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (this file is dist/test/integration/faults/fault-harness.js). */
export const PROJECT_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const NOBODY = 65534;

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function which(tool: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export const PARANOID = '/proc/sys/kernel/perf_event_paranoid';

/** Run fn with a sysctl file set to value, restoring the old value even when fn throws. */
export function withSysctl<T>(file: string, value: string, fn: () => T): T {
  const old = readFileSync(file, 'utf8').trim();
  if (old !== value) writeFileSync(file, value);
  try {
    return fn();
  } finally {
    if (old !== value) writeFileSync(file, old);
  }
}

/**
 * A project root that `uid` can read: the repository itself when every part
 * of the path and the built files are readable by it, else a copy of dist,
 * node_modules, bin and package.json in a temporary directory (removed by the
 * returned cleanup).
 */
export function readableRootFor(uid: number): { root: string; cleanup: () => void } {
  const probe = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, '-e',
    `require(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'src', 'probe'))})`], { encoding: 'utf8' });
  if (probe.status === 0) return { root: PROJECT_ROOT, cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'perfcompat-readable-'));
  for (const part of ['dist', 'node_modules', 'bin', 'package.json']) {
    if (existsSync(join(PROJECT_ROOT, part))) cpSync(join(PROJECT_ROOT, part), join(dir, part), { recursive: true });
  }
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  chmodSync(dir, 0o755);
  return { root: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Node code that prints the capability map of this kernel (or the error) as
 * one JSON line. `root` is the project root to load.
 */
export function mapScript(root: string, extra = ''): string {
  return `
    const { getCapabilities } = require(${JSON.stringify(join(root, 'dist', 'src', 'root'))});
    ${extra}
    let out;
    try {
      const opts = process.env.FAULT_CACHE_DIR ? { cache: { dir: process.env.FAULT_CACHE_DIR } } : { cache: false };
      const map = getCapabilities(opts);
      out = { ok: true, features: map.features, euid: map.environment.euid };
    } catch (e) {
      out = { ok: false, name: e && e.name, code: e && e.code, errno: e && e.errno, message: String(e && e.message) };
    }
    process.stdout.write(JSON.stringify(out) + '\\n');
  `;
}

export interface ChildMap {
  ok: boolean;
  features?: Record<string, { status: string; errno?: number; errnoName?: string; reason?: string; measured?: Record<string, unknown> }>;
  euid?: number;
  name?: string;
  code?: string;
  errno?: number;
  message?: string;
}

export function parseChild(r: SpawnSyncReturns<string>, what: string): ChildMap {
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ChildMap;
  } catch {
    throw new Error(`${what}: no JSON from the child (status ${r.status}, signal ${r.signal}); stderr: ${r.stderr.slice(0, 2000)}`);
  }
}

const LAUNCHER_C = `
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH AUDIT_ARCH_RISCV64
#endif

/*
 * seccomp-launcher ERRNO[:MASK] PROGRAM ARGS...: refuse perf_event_open with
 * ERRNO, exec PROGRAM. With MASK, refuse only calls whose flags argument
 * (the fifth) has one of MASK's bits: an argument filter.
 */
int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s ERRNO[:MASK] PROGRAM [ARGS...]\\n", argv[0]); return 2; }
  char *end;
  unsigned int err = (unsigned int)strtoul(argv[1], &end, 10);
  unsigned int mask = *end == ':' ? (unsigned int)strtoul(end + 1, NULL, 0) : 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  const unsigned int flags_lo = offsetof(struct seccomp_data, args[4]) + 4;
#else
  const unsigned int flags_lo = offsetof(struct seccomp_data, args[4]);
#endif
  /* Without MASK the JSET falls through both ways: every perf_event_open is refused. */
  struct sock_filter filter[] = {
#ifdef ARCH
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_perf_event_open, 0, 3),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, flags_lo),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, mask, 0, mask ? 1 : 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { (unsigned short)(sizeof filter / sizeof filter[0]), filter };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("prctl(PR_SET_NO_NEW_PRIVS)"); return 2; }
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) { perror("prctl(PR_SET_SECCOMP)"); return 2; }
  execvp(argv[2], argv + 2);
  perror("execvp");
  return 2;
}
`;

/** Compile a launcher's C source into dir as `name`; a skip (with the compiler's words) when there is no cc. */
function compileLauncher(dir: string, name: string, source: string): { path: string } | { skip: string } {
  const cc = which('cc');
  if (!cc) return { skip: `no C compiler (cc) to build the ${name}` };
  const src = join(dir, `${name}.c`);
  const bin = join(dir, name);
  writeFileSync(src, source);
  const r = spawnSync(cc, ['-O2', '-o', bin, src], { encoding: 'utf8' });
  if (r.status !== 0) return { skip: `cc could not build the ${name}: ${r.stderr.slice(0, 500)}` };
  return { path: bin };
}

/** Compile the seccomp launcher into dir. */
export function buildSeccompLauncher(dir: string): { path: string } | { skip: string } {
  return compileLauncher(dir, 'seccomp-launcher', LAUNCHER_C);
}

const EXECMEM_LAUNCHER_C = `
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/*
 * execmem-launcher ERRNO PROGRAM ARGS...: refuse mprotect (and pkey_mprotect
 * where it exists) with ERRNO when its prot argument asks for PROT_EXEC, as
 * SELinux execmem or a W^X policy does; exec PROGRAM. Node must then run
 * --jitless (V8's JIT makes its own code pages executable).
 */
int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s ERRNO PROGRAM [ARGS...]\\n", argv[0]); return 2; }
  unsigned int err = (unsigned int)strtoul(argv[1], NULL, 10);
#ifndef __NR_pkey_mprotect
#define __NR_pkey_mprotect __NR_mprotect
#endif
  struct sock_filter filter[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 1, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 0, 3),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 4 /* PROT_EXEC */, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { (unsigned short)(sizeof filter / sizeof filter[0]), filter };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("prctl(PR_SET_NO_NEW_PRIVS)"); return 2; }
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) { perror("prctl(PR_SET_SECCOMP)"); return 2; }
  execvp(argv[2], argv + 2);
  perror("execvp");
  return 2;
}
`;

/** Compile the launcher that refuses executable memory (mprotect with PROT_EXEC) into dir. */
export function buildExecmemLauncher(dir: string): { path: string } | { skip: string } {
  return compileLauncher(dir, 'execmem-launcher', EXECMEM_LAUNCHER_C);
}

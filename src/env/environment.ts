/**
 * readEnvironment(): facts about this box from procfs and sysfs, with the
 * roots as parameters so tests point it at fake trees.
 */
import * as os from 'node:os';
import type { Uname } from '../model/capability-map';
import type { Environment } from '../model/capability-map';
import { readBootId } from './boot-id';
import { readContainerHints } from './container';
import { readParanoid, readPerfUserAccess } from './paranoid';
import { readPmus } from './pmus';
import { readProcStatus } from './proc-status';
import { tracefsMount } from './tracefs';

export interface EnvironmentOptions {
  /** Default "/sys". */
  sysfsRoot?: string;
  /** Default "/proc". */
  procRoot?: string;
  /** Root of the file system for container marker files; default "/" (none when procRoot is given). */
  rootDir?: string;
  /** Architecture in Node's naming; default process.arch. */
  arch?: string;
}

export function readEnvironment(opts: EnvironmentOptions = {}): Environment {
  const sysfsRoot = opts.sysfsRoot ?? '/sys';
  const procRoot = opts.procRoot ?? '/proc';
  const status = readProcStatus(procRoot);
  const euid = status.euid ?? (typeof process.geteuid === 'function' ? process.geteuid() : -1);
  return {
    arch: opts.arch ?? process.arch,
    paranoid: readParanoid(procRoot),
    euid,
    capabilities: {
      effective: status.capEff,
      perfmon: status.perfmon,
      sysAdmin: status.sysAdmin,
      bpf: status.bpf,
    },
    seccomp: { mode: status.seccompMode, filters: status.seccompFilters },
    container: readContainerHints(procRoot, opts.rootDir ?? (opts.procRoot === undefined ? '/' : null)),
    pmus: readPmus(sysfsRoot),
    bootId: readBootId(procRoot),
    tracefs: tracefsMount(sysfsRoot),
    perfUserAccess: readPerfUserAccess(procRoot),
  };
}

/** uname -r / -v / -m of the running kernel. */
export function readUname(): Uname {
  return { release: os.release(), version: os.version(), machine: os.machine() };
}

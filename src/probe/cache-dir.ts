/**
 * The cache directory, opened safely: every component of its path is opened
 * in turn without following symlinks (O_DIRECTORY|O_NOFOLLOW), relative to the
 * one before (through /proc/self/fd, Node's stand-in for openat), and must be
 * owned by root or this user and writable by no one else (a sticky directory
 * such as /tmp excepted). The cache directory itself must be this user's; a
 * looser mode is tightened to 0700. Files in it are named relative to its fd,
 * so swapping a path component for a symlink cannot redirect a read or a
 * write, and are opened O_NONBLOCK|O_NOFOLLOW and must be regular (a FIFO
 * never blocks). A directory that fails is refused with a debug line: no cache.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { logger } from '../sys/log';

const log = logger('cache');
const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK;
/** Temporary files older than this are a killed writer's (a live one renames within milliseconds). */
const STALE_TMP_MS = 10 * 60_000;

export function euid(): number {
  return typeof process.geteuid === 'function' ? process.geteuid() : -1;
}

/** An open cache directory: name files in it with at(). */
export interface CacheDir {
  readonly fd: number;
  readonly path: string;
  at(name: string): string;
  close(): void;
}

function refuse(dir: string, why: string): null {
  if (log.enabled) log('not using cache dir %s: %s', dir, why);
  return null;
}

/** Why a directory's owner or mode makes it unsafe to hold (or lead to) the cache, or null. */
function unsafe(st: fs.Stats, last: boolean): string | null {
  const me = euid();
  if (last ? st.uid !== me : st.uid !== me && st.uid !== 0) return `owned by uid ${st.uid}`;
  if (!last && (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) return `writable by others (mode ${(st.mode & 0o7777).toString(8)})`;
  return null;
}

/**
 * Open `dir` (absolute) safely; with `create`, make it (0700) and its missing
 * parents first. null, said under DEBUG, when it is missing or unsafe. Never throws.
 */
export function openCacheDir(dir: string, create: boolean): CacheDir | null {
  if (!path.isAbsolute(dir)) return refuse(dir, 'not an absolute path');
  const parent = path.dirname(path.resolve(dir));
  const base = path.basename(path.resolve(dir));
  let real: string;
  try {
    if (create) fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
    real = fs.realpathSync(parent);
  } catch (e) {
    return refuse(dir, (e as Error).message);
  }
  const parts = [...real.split('/').filter((p) => p !== ''), base];
  let fd: number;
  try {
    fd = fs.openSync('/', DIR_FLAGS);
  } catch (e) {
    return refuse(dir, (e as Error).message);
  }
  try {
    let why = unsafe(fs.fstatSync(fd), false);
    for (let i = 0; why === null && i < parts.length; i++) {
      const last = i === parts.length - 1;
      const p = `/proc/self/fd/${fd}/${parts[i]}`;
      if (last && create) {
        try {
          fs.mkdirSync(p, { mode: 0o700 });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
      }
      const next = fs.openSync(p, DIR_FLAGS);
      fs.closeSync(fd);
      fd = next;
      const st = fs.fstatSync(fd);
      why = unsafe(st, last);
      if (why === null && last && (st.mode & 0o077) !== 0) fs.fchmodSync(fd, 0o700);
    }
    if (why !== null) {
      fs.closeSync(fd);
      return refuse(dir, why);
    }
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* closed */ }
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' && !create ? null : refuse(dir, code === 'ELOOP' || code === 'ENOTDIR' ? 'a component is a symlink or not a directory' : (e as Error).message);
  }
  const dirFd = fd;
  return {
    fd: dirFd,
    path: dir,
    at: (name) => `/proc/self/fd/${dirFd}/${name}`,
    close: () => { try { fs.closeSync(dirFd); } catch { /* closed */ } },
  };
}

/** Remove temporary files that writers killed mid-write left behind (theirs is dead, or they are old). */
export function removeStaleTemps(d: CacheDir): void {
  let names: string[];
  try {
    names = fs.readdirSync(d.at('.'));
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    const m = /^(?:capabilities|behaviour)-[0-9a-f]+\.json\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    if (!m) continue;
    try {
      const st = fs.lstatSync(d.at(name));
      if (!st.isFile() || st.uid !== euid()) continue;
      if (now - st.mtimeMs > STALE_TMP_MS || !alive(Number(m[1]))) fs.unlinkSync(d.at(name));
    } catch {
      // gone already, or not ours to remove
    }
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

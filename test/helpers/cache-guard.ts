/**
 * What a cache directory holds, to prove a test run left it alone: whether it
 * exists, and per entry (recursively, symlinks not followed) its kind, size,
 * mtime and, for regular files, a hash of the contents.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Regular files larger than this are compared by size and mtime only. */
const HASH_LIMIT = 64 << 20;
/** A listing stops after this many entries (a cache holds a handful). */
const MAX_ENTRIES = 10_000;

export interface DirState {
  dir: string;
  exists: boolean;
  /** One line per entry: relative path, kind, size, mtime, hash. */
  entries: string[];
}

function hashFile(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(1 << 16);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

function describeEntry(full: string, rel: string, st: fs.Stats): string {
  const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? `link->${fs.readlinkSync(full)}` : 'other';
  let digest = '';
  if (st.isFile() && st.size <= HASH_LIMIT) {
    try { digest = hashFile(full); } catch (e) { digest = `unreadable ${(e as NodeJS.ErrnoException).code ?? ''}`; }
  }
  return `${rel} ${kind} ${st.size} ${st.mtimeMs} ${st.mode.toString(8)} ${digest}`;
}

/** The state of `dir` now. */
export function dirState(dir: string): DirState {
  let top: fs.Stats;
  try {
    top = fs.lstatSync(dir);
  } catch {
    return { dir, exists: false, entries: [] };
  }
  const entries = [describeEntry(dir, '.', top)];
  const walk = (abs: string, rel: string): void => {
    let names: string[];
    try { names = fs.readdirSync(abs).sort(); } catch { return; }
    for (const n of names) {
      if (entries.length >= MAX_ENTRIES) return;
      const full = path.join(abs, n);
      const r = rel === '' ? n : `${rel}/${n}`;
      let st: fs.Stats;
      try { st = fs.lstatSync(full); } catch { continue; }
      entries.push(describeEntry(full, r, st));
      if (st.isDirectory()) walk(full, r);
    }
  };
  if (top.isDirectory()) walk(dir, '');
  return { dir, exists: true, entries };
}

/** What changed between two states of one directory, or '' when nothing did. */
export function stateChange(before: DirState, after: DirState): string {
  if (before.exists !== after.exists) return `${before.dir} ${after.exists ? 'was created' : 'was removed'}`;
  const was = new Set(before.entries);
  const now = new Set(after.entries);
  const gone = before.entries.filter((e) => !now.has(e));
  const came = after.entries.filter((e) => !was.has(e));
  if (gone.length === 0 && came.length === 0) return '';
  return `${before.dir} changed:\n${[...gone.map((e) => `  - ${e}`), ...came.map((e) => `  + ${e}`)].join('\n')}`;
}

/**
 * The perfcompat cache directories this user could have: the one
 * $XDG_CACHE_HOME names, and ~/.cache/perfcompat for $HOME and for the home
 * directory in the password database.
 */
export function userCacheDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs = new Set<string>();
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && path.isAbsolute(xdg)) dirs.add(path.join(xdg, 'perfcompat'));
  const homes = [env.HOME];
  try { homes.push(os.userInfo().homedir); } catch { /* no passwd entry */ }
  for (const h of homes) if (h !== undefined && path.isAbsolute(h)) dirs.add(path.join(h, '.cache', 'perfcompat'));
  return [...dirs];
}

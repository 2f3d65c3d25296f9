/**
 * Reading small procfs/sysfs files: a missing or unreadable file is `null`,
 * never an exception — the environment reports what it could not learn. A
 * file larger than a kernel attribute file can be (READ_LIMITS.kernelFile) is
 * not read past the limit and counts as unreadable, with a debug line naming
 * the file and the limit (DEBUG=perfcompat:env).
 */
import { PerfcompatError } from '../errors';
import { logger } from '../sys/log';
import { READ_LIMITS, readTextBounded } from './bounded-read';
import * as fs from 'node:fs';
import * as path from 'node:path';

const log = logger('env');

export function readText(file: string): string | null {
  try {
    return readTextBounded(file, READ_LIMITS.kernelFile, 'kernel attribute file');
  } catch (e) {
    if (e instanceof PerfcompatError && log.enabled) log('%s', e.message);
    return null;
  }
}

export function readTrimmed(file: string): string | null {
  const t = readText(file);
  return t === null ? null : t.trim();
}

/** Directory entries, or [] when the directory is missing or unreadable. */
export function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Every readable file of a directory, trimmed, by name ({} when the directory is absent). */
export function readDirFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of listDir(dir)) {
    const v = readTrimmed(path.join(dir, name));
    if (v !== null) out[name] = v;
  }
  return out;
}

export function exists(file: string): boolean {
  try {
    fs.statSync(file);
    return true;
  } catch {
    return false;
  }
}

export function join(root: string, ...parts: string[]): string {
  return path.join(root, ...parts);
}

/**
 * Reading a whole file with a size limit fit for its content: a file (or
 * pipe, or device such as /dev/zero) that holds more than `limit` bytes is a
 * PerfcompatError naming the file and the limit, read no further than the
 * limit, never an out-of-memory abort. Errors of the open or read (ENOENT,
 * EACCES, EISDIR, ...) are thrown as Node gives them, for the caller to word.
 */
import * as fs from 'node:fs';
import { PerfcompatError } from '../errors';

/** Limits by content: what the library and the CLI read, with room to spare. */
export const READ_LIMITS = {
  /** A sysfs, procfs or tracefs attribute file (the kernel's are at most a page; format files a few KiB). */
  kernelFile: 1 << 20,
  /** A capability dump (probe --json): about 64 KiB on a laptop, a few MiB with hundreds of uncore PMUs. */
  dump: 32 << 20,
  /** A user behaviour case (*.json). */
  caseFile: 4 << 20,
} as const;

const CHUNK = 64 * 1024;
const pause = new Int32Array(new SharedArrayBuffer(4));

export function limitText(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

export function tooBig(label: string, limit: number, what: string): PerfcompatError {
  return new PerfcompatError('ERR_INVALID_ARGUMENT', `${label}: more than the ${limitText(limit)} a ${what} may hold; not read`);
}

/**
 * The text of `file` (a path, or an open fd such as 0 for stdin), at most
 * `limit` bytes. `label` names it in the error (default: the path).
 */
export function readTextBounded(file: string | number, limit: number, what: string, label: string = String(file)): string {
  const fd = typeof file === 'number' ? file : fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOCTTY);
  try {
    const st = fs.fstatSync(fd);
    if (st.isFile() && st.size > limit) throw tooBig(label, limit, what);
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, Math.min(CHUNK, limit + 1 - total), null);
      } catch (e) {
        // A non-blocking stdin pipe with nothing in it yet: wait a little, as a blocking read would.
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, 5);
          continue;
        }
        throw e;
      }
      if (n === 0) break;
      total += n;
      if (total > limit) throw tooBig(label, limit, what);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    if (typeof file !== 'number') fs.closeSync(fd);
  }
}

/**
 * Argument checks the real kernel makes before a call crosses the FFI: a
 * mistake is a RangeError naming the argument, never a crash of Node.
 */
import { clipText, shownValue } from '../abi/args';

export function checkFd(fd: number, what: string): void {
  // (fd | 0) === fd: an integer in the signed 32-bit range; with fd >= 0, what Number.isInteger and the bounds say.
  if (typeof fd !== 'number' || (fd | 0) !== fd || fd < 0) {
    throw new RangeError(`${what}: fd ${clipArg(fd)} is not a valid file descriptor (a non-negative integer)`);
  }
}

/** A read length must lie within the buffer the kernel writes into. */
export function checkLength(length: number, buf: Uint8Array, what: string): void {
  if (!Number.isInteger(length) || length < 0 || length > buf.byteLength) {
    throw new RangeError(`${what}: length ${clipArg(length)} outside the ${buf.byteLength}-byte buffer`);
  }
}

export function checkBuffer(buf: unknown, what: string): asserts buf is Uint8Array {
  if (!(buf instanceof Uint8Array)) {
    throw new RangeError(`${what}: expected a Uint8Array or Buffer, got ${buf === null ? 'null' : typeof buf}`);
  }
}

/** A C int argument (prot, flags, ...): an integer in the signed 32-bit range. */
export function checkInt32(v: unknown, what: string, valid: string): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    throw new RangeError(`${what}: ${clipArg(v)} is not a 32-bit integer; ${valid}`);
  }
}

/** An argument as text for a message, at most 40 characters (the ABI layer's shownValue). */
export function clipArg(v: unknown): string {
  return typeof v === 'string' ? clipText(v) : shownValue(v);
}

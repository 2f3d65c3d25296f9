/**
 * The error types perfcompat throws. Every failure the library reports is a
 * PerfcompatError with a stable `code`; FFI buffer-size mistakes are RangeErrors
 * thrown before the call crosses into C.
 */

export type PerfcompatErrorCode =
  | 'ERR_INVALID_ATTR'      // an attr object that cannot be encoded
  | 'ERR_ATTR_BEYOND_SIZE'  // a non-zero field past the chosen attr size
  | 'ERR_DECODE'            // bytes that do not decode (read_format, records, attr)
  | 'ERR_INVALID_ARGUMENT'  // any other bad input, named in the message
  | 'ERR_EVENT_NAME'        // an event name that does not resolve
  | 'ERR_KERNEL'            // the kernel refused, with errno
  | 'ERR_PERF_UNAVAILABLE'  // perf_event_open is not usable here at all
  | 'ERR_ADAPTATION_REFUSED'// strict policy and an adaptation would be needed
  | 'ERR_CLOSED'            // an object used after close()
  | 'ERR_CACHE';            // a capability cache problem the caller asked about

export class PerfcompatError extends Error {
  readonly code: PerfcompatErrorCode;
  /** errno reported by the kernel, where one is the cause. */
  readonly errno?: number;
  readonly errnoName?: string;

  constructor(code: PerfcompatErrorCode, message: string, details: { errno?: number; errnoName?: string; cause?: unknown } = {}) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'PerfcompatError';
    this.code = code;
    if (details.errno !== undefined) this.errno = details.errno;
    if (details.errnoName !== undefined) this.errnoName = details.errnoName;
  }
}

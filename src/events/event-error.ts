/**
 * ERR_EVENT_NAME errors: `event "<what>": <message>`, with user-given text
 * clipped so that a hostile or mistaken input cannot make a huge message.
 */
import { PerfcompatError } from '../errors';

const MAX_MESSAGE = 2000;

/** `s`, cut to `n` characters with an ellipsis. */
export function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

export function eventError(what: string, msg: string): PerfcompatError {
  const text = `event "${clip(what, 120)}": ${msg}`;
  return new PerfcompatError('ERR_EVENT_NAME', text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text);
}

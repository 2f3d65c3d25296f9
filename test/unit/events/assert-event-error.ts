import assert from 'node:assert/strict';
import { PerfcompatError } from '../../../src/errors';

/** Assert fn throws PerfcompatError('ERR_EVENT_NAME') whose message matches every pattern. */
export function throwsEventName(fn: () => unknown, ...patterns: RegExp[]): PerfcompatError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof PerfcompatError, `expected a PerfcompatError, got ${String(caught)}`);
  assert.equal(caught.code, 'ERR_EVENT_NAME', caught.message);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

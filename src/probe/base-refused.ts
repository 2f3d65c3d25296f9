/**
 * The answer for a probe whose base event does not open: nothing can be
 * concluded about the feature itself, and the errno's class (ERRNO_CLASS)
 * says what to report instead. Pure; the engine's withBase/withOpened are its
 * only callers, so the preamble of every hook exists once.
 */
import { errnoName } from '../abi/errno';
import { errnoClass } from '../model/errno-class';
import type { FeatureEntry } from '../model/capability-map';
import type { WithBaseOptions } from './declaration';

export function baseRefused(errno: number, label: string, opts: WithBaseOptions = {}): FeatureEntry {
  const name = errnoName(errno);
  const evidence = { errno, errnoName: name, base: opts.answerBase ?? label };
  const cls = errnoClass(errno);
  let e: FeatureEntry;
  if (cls.transient) {
    e = { status: 'error', ...evidence, reason: `the base event ${label} could not be opened just now (${name}): a fault of the moment` };
  } else if (cls.status === 'no-hardware') {
    e = { status: 'no-hardware', ...evidence, reason: `the base event ${label} does not open here (${name})` };
  } else if (cls.status === 'denied') {
    e = { status: 'denied', ...evidence, reason: `the base event ${label} is not permitted for this caller (${name})` };
  } else {
    e = { status: 'untestable', ...evidence, reason: `the base event ${label} does not open (${name})` };
  }
  if (opts.reason) e.reason = opts.reason(name);
  return e;
}

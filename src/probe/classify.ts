/**
 * From an errno to a status, with the evidence. Pure: the engine and tests
 * call it with the kernel's answers.
 *
 * A refusal is `unsupported` only when it says "unknown": E2BIG (past the
 * kernel's attr size), ENOTTY (ioctl), ENOSYS, or EINVAL that the oracle — the
 * same attr on an unregistered PMU type — confirms comes from attr validation
 * (a known bit passes validation and gets ENOENT there). Where the oracle is
 * unusable (the plain attr does not get ENOENT there), an oracle-checked
 * EINVAL is `untestable`, saying why. ENOSYS while a
 * seccomp filter is active is `denied`: the base opened, so the syscall exists
 * and the filter refuses these arguments (flags, pid, cpu).
 */
import { errnoName } from '../abi/errno';
import { invalidArgument } from '../abi/args';
import type { FeatureEntry, FeatureStatus } from '../model/capability-map';
import { errnoClass, isTransient } from '../model/errno-class';

export interface Refusal {
  errno: number;
  /** errno name → status, from the declaration. */
  errnos?: Readonly<Partial<Record<string, FeatureStatus>>>;
  /** The oracle's errno: undefined when not asked, null when no oracle is available, 0 when it opened. */
  oracleErrno?: number | null;
  /** With oracleErrno null: what the calibration saw (e.g. a plain attr answered EOPNOTSUPP there, not ENOENT). */
  oracleUnusable?: string;
  /** Status for a bit the oracle shows the kernel knows but this base refuses. */
  whenKnown?: FeatureStatus;
  /** Label of the base, for the evidence text. */
  base: string;
  /** The attr size in use, for E2BIG evidence. */
  attrSize?: number;
  /** A seccomp filter is active on this process (Seccomp: 2 in /proc/self/status). */
  seccompFilter?: boolean;
}

export function classifyRefusal(r: Refusal): FeatureEntry {
  if (r === null || typeof r !== 'object') throw invalidArgument('classifyRefusal', 'refusal', r, 'a refusal { errno, base, ... }');
  if (!Number.isInteger(r.errno) || r.errno < 1 || r.errno > 4095) throw invalidArgument('classifyRefusal', 'refusal.errno', r.errno, 'an errno from 1 to 4095');
  if (typeof r.base !== 'string') throw invalidArgument('classifyRefusal', 'refusal.base', r.base, 'the label of the base event (a string)');
  const name = errnoName(r.errno);
  const evidence = { errno: r.errno, errnoName: name };
  const override = r.errnos?.[name];
  const oracleKnows = r.oracleErrno !== undefined && r.oracleErrno !== null && errnoName(r.oracleErrno) !== 'EINVAL';
  const inferred = oracleKnows
    ? `attr validation accepts it: ${r.oracleErrno === 0 ? 'opened' : errnoName(r.oracleErrno!)} on an unregistered PMU type, where unknown bits get EINVAL`
    : undefined;
  const withInference = (e: FeatureEntry): FeatureEntry => (inferred !== undefined ? { ...e, inferredFrom: inferred } : e);
  if (override !== undefined) {
    return withInference({ status: override, ...evidence, reason: `${name} on ${r.base}` });
  }
  if (isTransient(r.errno)) {
    return { status: 'error', ...evidence, reason: `${name} on ${r.base}: a fault of the moment, not a fact about the kernel` };
  }
  // What the errno means comes from ERRNO_CLASS; the cases below only word it.
  const cls = errnoClass(r.errno);
  if (cls.status === 'denied') {
    return withInference({ status: 'denied', ...evidence, reason: `known but not permitted for this caller (${name} on ${r.base})` });
  }
  if (cls.status === 'no-hardware') {
    return withInference({
      status: 'no-hardware', ...evidence,
      reason: name === 'EOPNOTSUPP' ? `the kernel knows it, the PMU of ${r.base} cannot do it (EOPNOTSUPP)` : `no PMU or event here that can do it (${name} on ${r.base})`,
    });
  }
  if (cls.status !== 'unsupported') return { status: 'error', ...evidence, reason: `unexpected ${name} on ${r.base}` };
  switch (name) {
    case 'E2BIG':
      return { status: 'unsupported', ...evidence, reason: `beyond attr size ${r.attrSize ?? '?'}: the kernel refused non-zero bytes past its struct (E2BIG)` };
    case 'ENOTTY':
      return { status: 'unsupported', ...evidence, reason: 'unknown ioctl (ENOTTY)' };
    case 'ENOSYS':
      if (r.seccompFilter) {
        return { status: 'denied', ...evidence, reason: `ENOSYS on ${r.base}, which itself opens, under an active seccomp filter: the filter refuses these arguments` };
      }
      return { status: 'unsupported', ...evidence, reason: `not implemented here (ENOSYS on ${r.base})` };
    case 'EINVAL':
      if (oracleKnows) {
        return { status: r.whenKnown ?? 'untestable', ...evidence, inferredFrom: inferred, reason: `the kernel knows it but refuses it on ${r.base} (EINVAL): it needs what this machine lacks` };
      }
      if (r.oracleErrno === undefined) {
        return { status: 'unsupported', ...evidence, reason: `refused on ${r.base}, which opens alone (EINVAL)` };
      }
      if (r.oracleErrno === null) {
        // perf_init_event walks every PMU for a type nobody registered and stops at the
        // first answer that is not ENOENT: a driver answering otherwise for foreign
        // types hides the ENOENT that tells a known bit from an unknown one.
        return { status: 'untestable', ...evidence, reason: `EINVAL on ${r.base}, which opens alone, cannot tell an unknown bit from a refused one: no unregistered-PMU cross-check was possible${r.oracleUnusable ? ` (${r.oracleUnusable})` : ''}` };
      }
      return { status: 'unsupported', ...evidence, reason: `unknown to attr validation: EINVAL on ${r.base} and EINVAL on an unregistered PMU type, where known bits get ENOENT` };
    default:
      return { status: 'error', ...evidence, reason: `unexpected ${name} on ${r.base}` };
  }
}

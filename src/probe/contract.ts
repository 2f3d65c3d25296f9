/**
 * The declaration contract: everything a probe declaration in probes/ needs
 * from the engine — the declaration and context types, base labels and the
 * answer for a refused base. Probe files import this, never the engine.
 */
import { errnoName } from '../abi/errno';
import { errnoClass } from '../model/errno-class';
import type { FeatureEntry } from '../model/capability-map';
import type { ResolvedBase } from './declaration';

export type { AttrEncoding, BaseName, OpenTarget, ProbeContext, ProbeDeclaration, ResolvedBase } from './declaration';
export { BASES, BASE_LABELS } from './bases';

/** The base itself does not open: nothing can be concluded about the feature. */
export function baseRefused(base: ResolvedBase, label: string): FeatureEntry {
  const name = errnoName(base.errno!);
  const evidence = { errno: base.errno!, errnoName: name, base: label };
  const cls = errnoClass(base.errno!);
  if (cls.transient) {
    return { status: 'error', ...evidence, reason: `the base event ${label} could not be opened just now (${name}): a fault of the moment` };
  }
  if (cls.status === 'no-hardware') {
    return { status: 'no-hardware', ...evidence, reason: `the base event ${label} does not open here (${name})` };
  }
  if (cls.status === 'denied') {
    return { status: 'denied', ...evidence, reason: `the base event ${label} is not permitted for this caller (${name})` };
  }
  return { status: 'untestable', ...evidence, reason: `the base event ${label} does not open (${name})` };
}

/**
 * The declaration contract: everything a probe declaration in probes/ needs
 * from the engine — the declaration and context types and the base labels.
 * A hook whose base is refused gets the answer from ctx.withBase /
 * ctx.withOpened, never writes it itself. Probe files import this (and the
 * behaviour check types of ./behaviour-types), never the engine.
 */
export type {
  AttrEncoding, BaseName, FeatureDescription, OpenTarget, ProbeContext, ProbeDeclaration, ResolvedBase, WithBaseOptions,
} from './declaration';
export type { FeatureId } from '../model/feature-id';
export { BASES, BASE_LABELS } from './bases';

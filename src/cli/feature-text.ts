/**
 * One line saying what a feature id is, and its mainline release: both read
 * from the id's declaration (probes/, through the composition root), which
 * for ABI ids takes them from the ABI tables. Nothing is restated here.
 */
import { featureDescription as declared } from '../root/describe';

export function describeFeature(id: string): string | undefined {
  return declared(id)?.description;
}

/** The mainline release a declaration or the ABI tables give for `id`, if any. */
export function featureMainline(id: string): string | undefined {
  return declared(id)?.mainline;
}

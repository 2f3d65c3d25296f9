/**
 * Descriptions of declarations generated from the ABI tables: the uapi name
 * and the table's own line, so `probe explain` and the declaration say the
 * same thing. A generated id the tables do not know is a mistake here,
 * caught when the catalogue is built.
 */
import { abiFeature } from '../src/abi/features';
import type { FeatureId } from '../src/probe/contract';

export function abiDescription(id: FeatureId): string {
  const abi = abiFeature(id);
  if (abi === undefined) throw new Error(`${id}: not in the ABI tables (src/abi/features.ts); give its declaration a description`);
  return `${abi.uapi}: ${abi.description}`;
}

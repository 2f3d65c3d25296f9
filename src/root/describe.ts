/**
 * What a feature id is, from its declaration in probes/: for `probe explain`
 * and the other texts of the CLI. Apart from ./index so that reading a
 * description loads the declarations only, never the engine or the kernel
 * bindings (probe --help and probe diff stay without koffi).
 */
export { featureDescription } from '../../probes';
export type { FeatureDescription } from '../probe/contract';

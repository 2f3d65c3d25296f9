/**
 * The probe catalogue the engine runs: handed in from above (src/root wires
 * probes/ in), so src/probe never imports the declarations it runs.
 */
import { PerfcompatError } from '../errors';
import type { Environment } from '../model/capability-map';
import type { ProbeDeclaration } from './declaration';
import type { BehaviourCheck } from './behaviour-types';

export interface Catalogue {
  /** Every declaration, in map order; PMU entries depend on the environment. */
  declarations(env: Environment): ProbeDeclaration[];
  /** The built-in behaviour checks. */
  readonly behaviourChecks: readonly BehaviourCheck[];
}

let installed: Catalogue | undefined;

export function installCatalogue(c: Catalogue): void {
  installed = c;
}

export function installedCatalogue(): Catalogue {
  if (installed === undefined) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'no probe catalogue installed: import perfcompat (src/index) or src/root, which hand probes/ to the engine');
  }
  return installed;
}

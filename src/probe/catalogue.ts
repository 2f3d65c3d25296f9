/**
 * The probe catalogue the engine runs: handed in from above (src/root wires
 * probes/ in), so src/probe never imports the declarations it runs. It is
 * handed in as a loader, called on first use: a process served from the
 * cache never loads the declarations.
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

let load: (() => Catalogue) | undefined;
let installed: Catalogue | undefined;

/** Install the catalogue, or a function that loads it when the engine first needs it. */
export function installCatalogue(c: Catalogue | (() => Catalogue)): void {
  if (typeof c === 'function') {
    load = c;
    installed = undefined;
  } else {
    load = undefined;
    installed = c;
  }
}

export function installedCatalogue(): Catalogue {
  if (installed === undefined && load !== undefined) installed = load();
  if (installed === undefined) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', 'no probe catalogue installed: import perfcompat (src/index) or src/root, which hand probes/ to the engine');
  }
  return installed;
}

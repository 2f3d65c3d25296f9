/**
 * The composition root: hands probes/ (the declarations and the built-in
 * behaviour checks) to the engine. src/index.ts and the shim's default-map
 * lookup go through here; src/probe never imports probes/.
 */
import { catalogue } from '../../probes';
import { BEHAVIOUR_CHECKS } from '../../probes/behaviour';
import { installCatalogue } from '../probe/catalogue';

installCatalogue({ declarations: catalogue, behaviourChecks: BEHAVIOUR_CHECKS });

export { getCapabilities, supports, feature, forgetCapabilities } from '../probe/capabilities';
export { BEHAVIOUR_CHECKS };
/** What a feature id is and, where an ABI fact, its mainline release: from its declaration. */
export { featureDescription } from './describe';

/**
 * The composition root: hands probes/ (the declarations and the built-in
 * behaviour checks) to the engine. src/index.ts and the shim's default-map
 * lookup go through here; src/probe never imports probes/. The catalogue is
 * handed over as a loader: probes/ is required only when something probes
 * (a map served from the cache needs none of it).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { installCatalogue } from '../probe/catalogue';

installCatalogue(() => ({
  declarations: (require('../../probes') as typeof import('../../probes')).catalogue,
  behaviourChecks: (require('../../probes/behaviour') as typeof import('../../probes/behaviour')).BEHAVIOUR_CHECKS,
}));

export { getCapabilities, supports, feature, forgetCapabilities } from '../probe/capabilities';
/**
 * A probe closes the tracepoint probe's fd off the thread (its close waits for
 * an RCU grace period): this resolves once every such close has returned, after
 * which no fd a probe opened is open.
 */
export { closesSettled } from '../open/scope';

/**
 * The built-in behaviour checks of probes/behaviour, for the package entry.
 * Apart from ./index so that loading the root (every getCapabilities() call)
 * does not load them.
 */
export { BEHAVIOUR_CHECKS } from '../../probes/behaviour';

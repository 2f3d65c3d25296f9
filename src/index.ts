/**
 * perfcompat: probe the running kernel's perf_event ABI and take the code path
 * that works here.
 */
export * from './abi';
export * from './sys';
export { PerfcompatError } from './errors';
export type { PerfcompatErrorCode } from './errors';
export { resolveEvent, parseEventList, listEvents, type ResolvedEvent, type ResolvedGroup, type EventListing, type EventKind, type EventNameOptions, type EventListOptions } from './events';
export * from './shim';
export * from './shim/sampling';
export * from './model';
export * from './root';
export { BEHAVIOUR_CHECKS } from './root/behaviour-checks';
/** What a feature id is and, where an ABI fact, its mainline release: from its declaration. */
export { featureDescription } from './root/describe';
export * from './probe';
export * from './probe/behaviour';
/** The counters provider for benchmark loops (also the light entry `perfcompat/counters`). */
export { counters, Counters, DEFAULT_EVENTS, available as countersAvailable, canCount } from './counters';
export type { Availability, CountersOptions, CountersValues, DerivedReport, EventReport, MissingEvent, Stat } from './counters';

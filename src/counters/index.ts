/**
 * perfcompat/counters: the light entry point for benchmark loops. Requiring
 * it loads this folder and the error type; the shim (and the capability map
 * it adapts to) loads on the first init() or canCount().
 */
export { counters, Counters } from './provider';
export { canCount, available } from './availability';
export { DEFAULT_EVENTS } from './types';
export type { Availability, CountersOptions, CountersValues, DerivedReport, EventReport, MissingEvent, Stat } from './types';
export { PerfcompatError } from '../errors';
export type { PerfcompatErrorCode } from '../errors';

/** The shim: adaptive open, event sets, multiplex scaling, and the path taken per feature. */
export { openEvent, PerfEvent } from './perf-event';
export { EventSet } from './event-set';
export type { EventSetOptions, EventValue, ReadPath } from './event-set';
export { DEFAULT_COMMAND_EVENTS } from './for-command';
export type { ForCommandOptions, CommandCounts } from './command-types';
export { shimPathFor } from './shim-path';
export { planOpen } from './adapt';
export type { OpenPlan } from './adapt';
export { FALLBACKS } from './fallbacks';
export type { FallbackRule, AttrBits } from './fallbacks';
export { SOFTWARE_STANDINS } from './software-standins';
export type { SoftwareStandIn } from './software-standins';
export type { Adaptation, CounterValue, EventSpec, MapSource, OpenOptions, Policy } from './types';

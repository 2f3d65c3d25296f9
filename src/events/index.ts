/**
 * Event names as perf spells them, resolved against this machine.
 */
export { resolveEvent, parseEventList } from './parse-list';
export { listEvents } from './list-events';
export { openStatus } from './open-status';
export { splitEventList } from './list-syntax';
export type { ListItem } from './list-syntax';
export type { OpenStatus } from './open-status';
export type { ResolvedEvent, ResolvedGroup, EventListing, EventNameOptions, EventListOptions, EventKind } from './types';

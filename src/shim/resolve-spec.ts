/**
 * Turn what a caller passed (an event name or a typed spec) into a typed
 * spec. Names go through src/events `resolveEvent`, with the capability map
 * so that the names it resolves are the ones this machine has.
 */
// From parse-list, not the events index: opening an event does not load event listing.
import { resolveEvent } from '../events/parse-list';
import { PerfcompatError } from '../errors';
import type { CapabilityMap } from '../model/capability-map';
import type { EventSpec } from './types';

export interface SpecWithMeta {
  spec: EventSpec;
  scale?: number;
  unit?: string;
}

/** What the shim's open functions take: a name, a typed spec, or a name already resolved by toSpec. */
export type OpenInput = EventSpec | string | SpecWithMeta;

function isResolved(input: EventSpec | SpecWithMeta): input is SpecWithMeta {
  return typeof (input as { spec?: unknown }).spec === 'object' && (input as { spec?: unknown }).spec !== null;
}

/** Resolve a name once (sysfs/tracefs reads); a typed spec or an already resolved input passes through. */
export function toSpec(input: OpenInput, capabilities?: CapabilityMap): SpecWithMeta {
  if (typeof input !== 'string') return isResolved(input) ? input : { spec: input };
  const name = input.trim();
  if (name === '') throw new PerfcompatError('ERR_EVENT_NAME', 'event name: empty string; give a name such as "task-clock" or "cycles", or a typed spec { type, config }');
  const r = resolveEvent(name, capabilities ? { capabilities } : {});
  const out: SpecWithMeta = { spec: { ...r.attr, type: Number(r.attr.type), name: r.input || r.name } };
  if (r.scale !== undefined) out.scale = r.scale;
  if (r.unit !== undefined) out.unit = r.unit;
  return out;
}

/** The input's name for messages, without resolving it. */
export function inputName(input: OpenInput): string {
  if (typeof input === 'string') return input;
  return (isResolved(input) ? input.spec.name : input.name) ?? 'event';
}

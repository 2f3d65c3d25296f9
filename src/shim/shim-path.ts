/**
 * shimPathFor: one line saying which code path the shim takes for a feature
 * on a given capability map — what `probe explain` prints under "shim". No
 * decision is restated here: EventSet ids print what eventSetPolicy decides,
 * every id a plan step consults prints that step's explain.
 */
import type { CapabilityMap } from '../model/capability-map';
import { behaviourOfMap, EVENT_SET_FEATURE_IDS, eventSetPolicy, type EventSetFeatureId, type EventSetPolicyOptions } from './event-set-policy';
import { fallbackStep } from './plan-steps/fallback-step';
import { shortStatus } from './plan-steps/map-facts';
import { stepFor } from './plan-steps';
import { stringArg } from '../abi/args';
import { mapArg } from './entry-args';

/** The options under which an EventSet consults `id`: inherited sets for inherit_group_read, a task for group_read_after_exit. */
function policyOptionsFor(id: EventSetFeatureId): EventSetPolicyOptions {
  if (id === 'combo.inherit_group_read') return { inherit: true };
  if (id === 'behaviour.group_read_after_exit') return { pid: 1 };
  return {};
}

function isEventSetId(id: string): id is EventSetFeatureId {
  return (EVENT_SET_FEATURE_IDS as readonly string[]).includes(id);
}

/** The EventSet's line for `id`: what eventSetPolicy decides on this map with the behaviour answers it carries. */
function eventSetLine(id: EventSetFeatureId, map: CapabilityMap): string {
  const p = eventSetPolicy(map, behaviourOfMap(map), policyOptionsFor(id));
  const scope = id === 'combo.inherit_group_read' ? ' (inherited counters, forCommand)' : id === 'behaviour.group_read_after_exit' ? ' (a task that may exit, forCommand)' : '';
  const line = `EventSet${scope}: ${p.why[id]} [${shortStatus(map, id)}]`;
  return fallbackStep.consults.includes(id) ? `${line}; openEvent: ${fallbackStep.explain(map, id)}` : line;
}

export function shimPathFor(featureId: string, map: CapabilityMap): string | undefined {
  stringArg('shimPathFor', 'id', featureId, 256);
  mapArg('shimPathFor', map);
  if (isEventSetId(featureId)) return eventSetLine(featureId, map);
  return stepFor(featureId)?.explain(map, featureId);
}

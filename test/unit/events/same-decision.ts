/**
 * sameDecision: the attr an event name resolved to and a typed spec get the
 * same planOpen outcome on one map — the same adaptations, or the same refusal
 * (and precise_ip as opened) — under the default, the strict and the allowPreciseDowngrade policy.
 */
import assert from 'node:assert/strict';
import { PerfcompatError } from '../../../src/errors';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { planOpen } from '../../../src/shim/adapt';
import type { EventSpec, OpenOptions } from '../../../src/shim/types';

type Policy = NonNullable<OpenOptions['policy']>;
const POLICIES: Policy[] = [{}, { strict: true }, { allowPreciseDowngrade: true }];

function outcome(spec: EventSpec, map: CapabilityMap, policy: Policy): unknown {
  try {
    const plan = planOpen(spec, { map, policy });
    return { precise_ip: plan.attr.precise_ip, adaptations: plan.adaptations };
  } catch (e) {
    assert.ok(e instanceof PerfcompatError, `a PerfcompatError, got ${String(e)}`);
    return { code: e.code, message: e.message };
  }
}

export function sameDecision(map: CapabilityMap, byName: Readonly<Record<string, unknown>>, spec: EventSpec): void {
  for (const policy of POLICIES) {
    assert.deepEqual(outcome({ ...byName } as EventSpec, map, policy), outcome(spec, map, policy), `policy ${JSON.stringify(policy)}`);
  }
}

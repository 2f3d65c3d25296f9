/**
 * Turn what a caller passed (an event name or a typed spec) into a typed spec.
 * Names go through src/events `resolveEvent`; until that module is present,
 * a small table of perf's generic hardware and software names stands in
 * (TODO: remove INTERIM_NAMES once src/events is in every build).
 */
import { PERF_TYPE } from '../abi/constants';
import { PerfcompatError } from '../errors';
import type { CapabilityMap } from '../probe/types';
import type { EventSpec } from './types';

interface ResolvedLike {
  input: string;
  name: string;
  attr: Record<string, number | bigint>;
  scale?: number;
  unit?: string;
}
interface EventsModule {
  resolveEvent(name: string, opts?: { capabilities?: CapabilityMap }): ResolvedLike;
}

const INTERIM_NAMES: Readonly<Record<string, { type: number; config: number }>> = {
  'cycles': { type: PERF_TYPE.HARDWARE, config: 0 },
  'cpu-cycles': { type: PERF_TYPE.HARDWARE, config: 0 },
  'instructions': { type: PERF_TYPE.HARDWARE, config: 1 },
  'cache-references': { type: PERF_TYPE.HARDWARE, config: 2 },
  'cache-misses': { type: PERF_TYPE.HARDWARE, config: 3 },
  'branches': { type: PERF_TYPE.HARDWARE, config: 4 },
  'branch-instructions': { type: PERF_TYPE.HARDWARE, config: 4 },
  'branch-misses': { type: PERF_TYPE.HARDWARE, config: 5 },
  'bus-cycles': { type: PERF_TYPE.HARDWARE, config: 6 },
  'stalled-cycles-frontend': { type: PERF_TYPE.HARDWARE, config: 7 },
  'stalled-cycles-backend': { type: PERF_TYPE.HARDWARE, config: 8 },
  'ref-cycles': { type: PERF_TYPE.HARDWARE, config: 9 },
  'cpu-clock': { type: PERF_TYPE.SOFTWARE, config: 0 },
  'task-clock': { type: PERF_TYPE.SOFTWARE, config: 1 },
  'page-faults': { type: PERF_TYPE.SOFTWARE, config: 2 },
  'faults': { type: PERF_TYPE.SOFTWARE, config: 2 },
  'context-switches': { type: PERF_TYPE.SOFTWARE, config: 3 },
  'cs': { type: PERF_TYPE.SOFTWARE, config: 3 },
  'cpu-migrations': { type: PERF_TYPE.SOFTWARE, config: 4 },
  'migrations': { type: PERF_TYPE.SOFTWARE, config: 4 },
  'minor-faults': { type: PERF_TYPE.SOFTWARE, config: 5 },
  'major-faults': { type: PERF_TYPE.SOFTWARE, config: 6 },
  'alignment-faults': { type: PERF_TYPE.SOFTWARE, config: 7 },
  'emulation-faults': { type: PERF_TYPE.SOFTWARE, config: 8 },
  'dummy': { type: PERF_TYPE.SOFTWARE, config: 9 },
};

let events: EventsModule | null | undefined;
function eventsModule(): EventsModule | null {
  if (events !== undefined) return events;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require('../events') as Partial<EventsModule>;
    events = typeof m.resolveEvent === 'function' ? (m as EventsModule) : null;
  } catch {
    events = null;
  }
  return events;
}

export interface SpecWithMeta {
  spec: EventSpec;
  scale?: number;
  unit?: string;
}

export function toSpec(input: EventSpec | string, capabilities?: CapabilityMap): SpecWithMeta {
  if (typeof input !== 'string') return { spec: input };
  const name = input.trim();
  if (name === '') throw new PerfcompatError('ERR_EVENT_NAME', 'event name: empty string; give a name such as "task-clock" or "cycles", or a typed spec { type, config }');
  const mod = eventsModule();
  if (mod) {
    const r = mod.resolveEvent(name, capabilities ? { capabilities } : {});
    const out: SpecWithMeta = { spec: { ...r.attr, type: Number(r.attr.type), name: r.input || r.name } };
    if (r.scale !== undefined) out.scale = r.scale;
    if (r.unit !== undefined) out.unit = r.unit;
    return out;
  }
  const hit = INTERIM_NAMES[name];
  if (!hit) {
    throw new PerfcompatError('ERR_EVENT_NAME', `event name "${name}": unknown; known names here are ${Object.keys(INTERIM_NAMES).join(', ')} (or pass a typed spec { type, config })`);
  }
  return { spec: { ...hit, name } };
}

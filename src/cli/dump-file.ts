/**
 * Reading a capability dump written by `probe --json`: a missing file, a file
 * that is not JSON or not a dump, and a dump of a newer schema each give one
 * UsageError naming the file and what would be valid.
 */
import { clipText, shownValue } from '../abi/args';
import { READ_LIMITS, readTextBounded } from '../env/bounded-read';
import { PerfcompatError } from '../errors';
import { CAPABILITY_SCHEMA, FEATURE_STATUSES } from '../model/capability-map';
import type { CapabilityMap } from '../model/capability-map';
import { withCurrentIds } from '../model/feature-aliases';
import { UsageError } from './command';

const SCHEMA_PREFIX = 'perfcompat/capabilities@';
const OUR_VERSION = Number(CAPABILITY_SCHEMA.slice(SCHEMA_PREFIX.length));
const MAKE_ONE = 'make one with `probe --json > FILE`';
/** More features than any kernel has ids for (about 250 today, thousands with many PMUs). */
export const MAX_DUMP_FEATURES = 100_000;
/** A dump nests 5 levels deep (features → entry → measured → value); more is not a dump. */
export const MAX_DUMP_DEPTH = 32;

/** How deep `data` nests, stopping at `max` + 1 (iterative: a 200k-deep array does not overflow the stack). */
function depthOver(data: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[data, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    for (const child of Object.values(v as object)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

/** Check that parsed JSON is a capability dump this version reads; throws UsageError. */
export function asCapabilityMap(data: unknown, name: string): CapabilityMap {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`${name}: not a capability dump (a JSON object with "schema": "${CAPABILITY_SCHEMA}"); ${MAKE_ONE}`);
  }
  const o = data as Record<string, unknown>;
  const schema = o.schema;
  if (typeof schema !== 'string' || !schema.startsWith(SCHEMA_PREFIX)) {
    throw new UsageError(`${name}: not a capability dump (no "schema": "${CAPABILITY_SCHEMA}"); ${MAKE_ONE}`);
  }
  const version = Number(schema.slice(SCHEMA_PREFIX.length));
  if (!Number.isInteger(version) || version < 1) {
    throw new UsageError(`${name}: unknown schema ${JSON.stringify(clipText(schema, 80))}; this perfcompat reads ${CAPABILITY_SCHEMA}`);
  }
  if (version > OUR_VERSION) {
    throw new UsageError(`${name}: a ${clipText(schema, 80)} dump is newer than this perfcompat reads (${CAPABILITY_SCHEMA}); upgrade perfcompat`);
  }
  const bad = (what: string): never => {
    throw new UsageError(`${name}: not a valid ${CAPABILITY_SCHEMA} dump (${what}); ${MAKE_ONE}`);
  };
  const kernel = o.kernel as Record<string, unknown> | undefined;
  if (kernel === null || typeof kernel !== 'object' || typeof kernel.release !== 'string') bad('kernel.release missing');
  const env = o.environment as Record<string, unknown> | undefined;
  if (env === null || typeof env !== 'object' || !Array.isArray(env.pmus)) bad('environment.pmus missing');
  const features = o.features as Record<string, unknown> | undefined;
  if (features === null || typeof features !== 'object' || Array.isArray(features)) bad('features is not an object');
  const entries = Object.entries(features as Record<string, unknown>);
  if (entries.length > MAX_DUMP_FEATURES) {
    throw new UsageError(`${name}: ${entries.length} features, more than the ${MAX_DUMP_FEATURES} a capability dump may hold; not a dump made by probe --json`);
  }
  for (const [id, entry] of entries) {
    const status = (entry as { status?: unknown } | null)?.status;
    if (typeof status !== 'string' || !(FEATURE_STATUSES as readonly string[]).includes(status)) {
      bad(`features[${JSON.stringify(clipText(id))}].status is ${shownValue(status)}, expected one of ${FEATURE_STATUSES.join(', ')}`);
    }
  }
  if (depthOver(data, MAX_DUMP_DEPTH)) {
    throw new UsageError(`${name}: nests deeper than the ${MAX_DUMP_DEPTH} levels a capability dump may have; not a dump made by probe --json`);
  }
  return withCurrentIds(data as CapabilityMap);
}

/** Read and check a dump file ("-" reads stdin). */
export function readCapabilityDump(path: string): CapabilityMap {
  let text: string;
  try {
    text = readTextBounded(path === '-' ? 0 : path, READ_LIMITS.dump, 'capability dump', path === '-' ? 'stdin' : path);
  } catch (err) {
    if (err instanceof PerfcompatError) throw new UsageError(`${err.message} (${MAKE_ONE})`);
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file'
      : code === 'EISDIR' ? 'is a directory'
        : code === 'EACCES' ? 'permission denied'
          : (err as Error).message;
    throw new UsageError(`${path}: ${why}; expected a capability dump (${MAKE_ONE})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not JSON (${clipText((err as Error).message, 120)}); expected a capability dump (${MAKE_ONE})`);
  }
  return asCapabilityMap(data, path);
}

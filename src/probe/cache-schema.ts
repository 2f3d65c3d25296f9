/**
 * What is read from the cache is checked against the JSON schema the package
 * ships (schema/capabilities.schema.json) before it is served: a map of the
 * right key but the wrong shape (status "bogus", no environment) is ignored
 * and probed again. A small validator of the subset of JSON Schema that file
 * uses (type, const, enum, required, properties, additionalProperties, items,
 * propertyNames, pattern, minimum, anyOf, $ref to #/$defs); no dependency.
 * When the schema file cannot be found (a bundle without it), the structural
 * minimum is checked instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { READ_LIMITS, readTextBounded } from '../env/bounded-read';

type Schema = { [k: string]: unknown } | boolean;

const STATUSES = new Set(['supported', 'unsupported', 'denied', 'no-hardware', 'untestable', 'error', 'broken']);
let loaded: { root: Schema } | null | undefined;

function packageSchema(): { root: Schema } | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  let dir = __dirname;
  for (let i = 0; i < 6; i++, dir = path.dirname(dir)) {
    try {
      const text = readTextBounded(path.join(dir, 'schema', 'capabilities.schema.json'), READ_LIMITS.caseFile, 'schema file');
      const root = JSON.parse(text) as Schema;
      if (typeof root === 'object' && root.$id === 'urn:perfcompat:schema:capabilities@1') {
        loaded = { root };
        break;
      }
    } catch {
      // not here; look one level up
    }
  }
  return loaded;
}

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null': return v === null;
    case 'array': return Array.isArray(v);
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    default: return typeof v === t;
  }
}

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** The first mismatch of `v` against `s`, as "where: what", or null. */
function check(root: Schema, s: Schema, v: unknown, at: string, depth: number): string | null {
  if (s === true) return null;
  if (s === false) return `${at}: not allowed`;
  if (depth > 32) return `${at}: nested too deep`;
  if (typeof s.$ref === 'string') {
    const m = /^#\/\$defs\/(.+)$/.exec(s.$ref);
    const defs = (root as { $defs?: Record<string, Schema> }).$defs;
    const target = m && defs && own(defs, m[1]!) ? defs[m[1]!] : undefined;
    if (target === undefined) return `${at}: unresolvable $ref ${s.$ref}`;
    const e = check(root, target, v, at, depth + 1);
    if (e) return e;
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeOk(t, v))) return `${at}: not of type ${types.join('|')}`;
  }
  if (own(s, 'const') && v !== s.const) return `${at}: not ${JSON.stringify(s.const)}`;
  if (Array.isArray(s.enum) && !s.enum.includes(v)) return `${at}: not one of ${s.enum.join(', ')}`;
  if (typeof s.minimum === 'number' && typeof v === 'number' && v < s.minimum) return `${at}: below ${s.minimum}`;
  if (typeof s.pattern === 'string' && typeof v === 'string' && !new RegExp(s.pattern, 'u').test(v)) return `${at}: does not match ${s.pattern}`;
  if (Array.isArray(s.anyOf) && !s.anyOf.some((x: Schema) => check(root, x, v, at, depth + 1) === null)) return `${at}: matches none of anyOf`;
  if (Array.isArray(v) && s.items !== undefined) {
    for (let i = 0; i < v.length; i++) {
      const e = check(root, s.items as Schema, v[i], `${at}[${i}]`, depth + 1);
      if (e) return e;
    }
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return checkObject(root, s, v as Record<string, unknown>, at, depth);
  return null;
}

function checkObject(root: Schema, s: { [k: string]: unknown }, o: Record<string, unknown>, at: string, depth: number): string | null {
  for (const k of (s.required as string[] | undefined) ?? []) if (!own(o, k)) return `${at}: no ${k}`;
  const props = (s.properties ?? {}) as Record<string, Schema>;
  for (const [k, x] of Object.entries(o)) {
    if (s.propertyNames !== undefined) {
      const e = check(root, s.propertyNames as Schema, k, `${at} key ${k.slice(0, 40)}`, depth + 1);
      if (e) return e;
    }
    const sub = own(props, k) ? props[k] : s.additionalProperties;
    if (sub === undefined) continue;
    const e = check(root, sub as Schema, x, `${at}.${k.slice(0, 40)}`, depth + 1);
    if (e) return e;
  }
  return null;
}

/** The structural minimum, when the schema file is not there. */
function minimal(m: unknown): string | null {
  if (m === null || typeof m !== 'object') return 'map: not an object';
  const o = m as Record<string, unknown>;
  for (const k of ['schema', 'engineVersion', 'kernel', 'environment', 'features']) if (!own(o, k)) return `map: no ${k}`;
  const f = o.features;
  if (f === null || typeof f !== 'object') return 'map.features: not an object';
  for (const [id, e] of Object.entries(f)) {
    if (!e || typeof e !== 'object' || !STATUSES.has((e as { status?: unknown }).status as string)) return `map.features.${id.slice(0, 40)}: no valid status`;
  }
  return null;
}

/** Why `map` does not match the shipped capability schema, or null when it does. */
export function mapSchemaError(map: unknown): string | null {
  const s = packageSchema();
  return s === null ? minimal(map) : check(s.root, s.root, map, 'map', 0);
}

/** Why `entry` is not a valid feature entry, or null when it is. */
export function entrySchemaError(entry: unknown, id: string): string | null {
  const s = packageSchema();
  const def = s && typeof s.root === 'object' ? (s.root.$defs as Record<string, Schema> | undefined)?.featureEntry : undefined;
  if (s === null || def === undefined) return minimal({ schema: 1, engineVersion: 1, kernel: 1, environment: 1, features: { [id]: entry } });
  return check(s.root, def, entry, `behaviour.${id.slice(0, 40)}`, 0);
}

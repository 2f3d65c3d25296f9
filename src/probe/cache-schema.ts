/**
 * What is read from the cache is checked against the JSON schema the package
 * ships (schema/capabilities.schema.json) before it is served: a map of the
 * right key but the wrong shape (status "bogus", no environment) is ignored
 * and probed again. A small validator of the subset of JSON Schema that file
 * uses (type, const, enum, required, properties, additionalProperties, items,
 * propertyNames, pattern, minimum, anyOf, $ref to #/$defs), compiled once per process
 * into plain checks; no dependency.
 * When the schema file cannot be found (a bundle without it), the structural
 * minimum is checked instead.
 */
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

/**
 * A check of one value: null when it matches, else the error's tail (": what", or a
 * path step and the rest, ".k: what"), so that no path string is built for a value that matches.
 */
type Check = (v: unknown) => string | null;

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const step = (k: string): string => k.slice(0, 40);

function typeCheck(t: string): (v: unknown) => boolean {
  switch (t) {
    case 'null': return (v) => v === null;
    case 'array': return Array.isArray;
    case 'object': return isObject;
    case 'integer': return Number.isInteger;
    case 'number': return (v) => typeof v === 'number' && Number.isFinite(v);
    default: return (v) => typeof v === t;
  }
}

/**
 * The schema compiled once into checks (each regex built once, each $ref resolved once), so a
 * cache hit pays one pass over the map and no interpretation of the schema per value.
 */
class Compiler {
  private readonly refs = new Map<string, Check>();
  constructor(private readonly root: Schema) {}

  compile(s: Schema, depth: number): Check {
    if (s === true) return () => null;
    if (s === false) return () => ': not allowed';
    if (depth > 32) return () => ': nested too deep';
    const parts: Check[] = [];
    if (typeof s.$ref === 'string') parts.push(this.ref(s.$ref, depth));
    if (s.type !== undefined) {
      const names = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      const tests = names.map(typeCheck);
      const what = `: not of type ${names.join('|')}`;
      parts.push(tests.length === 1 ? (v) => (tests[0]!(v) ? null : what) : (v) => (tests.some((t) => t(v)) ? null : what));
    }
    if (own(s, 'const')) {
      const c = s.const;
      const what = `: not ${JSON.stringify(c)}`;
      parts.push((v) => (v === c ? null : what));
    }
    if (Array.isArray(s.enum)) {
      const values = new Set<unknown>(s.enum);
      const what = `: not one of ${s.enum.join(', ')}`;
      parts.push((v) => (values.has(v) ? null : what));
    }
    if (typeof s.minimum === 'number') {
      const min = s.minimum;
      const what = `: below ${min}`;
      parts.push((v) => (typeof v === 'number' && v < min ? what : null));
    }
    if (typeof s.pattern === 'string') {
      const re = new RegExp(s.pattern, 'u');
      const what = `: does not match ${s.pattern}`;
      parts.push((v) => (typeof v === 'string' && !re.test(v) ? what : null));
    }
    if (Array.isArray(s.anyOf)) {
      const options = (s.anyOf as Schema[]).map((x) => this.compile(x, depth + 1));
      parts.push((v) => (options.some((o) => o(v) === null) ? null : ': matches none of anyOf'));
    }
    if (s.items !== undefined) parts.push(this.items(this.compile(s.items as Schema, depth + 1)));
    const obj = this.object(s, depth);
    if (obj !== null) parts.push(obj);
    return all(parts);
  }

  private ref(ref: string, depth: number): Check {
    const known = this.refs.get(ref);
    if (known !== undefined) return known;
    const m = /^#\/\$defs\/(.+)$/.exec(ref);
    const defs = (this.root as { $defs?: Record<string, Schema> }).$defs;
    const target = m && defs && own(defs, m[1]!) ? defs[m[1]!] : undefined;
    if (target === undefined) return () => `: unresolvable $ref ${ref}`;
    let compiled: Check | undefined;
    const check: Check = (v) => (compiled ??= this.compile(target, depth + 1))(v);
    this.refs.set(ref, check);
    return check;
  }

  private items(item: Check): Check {
    return (v) => {
      if (!Array.isArray(v)) return null;
      for (let i = 0; i < v.length; i++) {
        const e = item(v[i]);
        if (e !== null) return `[${i}]${e}`;
      }
      return null;
    };
  }

  private object(s: { [k: string]: unknown }, depth: number): Check | null {
    const required = (s.required as string[] | undefined) ?? [];
    const props = new Map<string, Check>();
    for (const [k, x] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) props.set(k, this.compile(x, depth + 1));
    const rest = s.additionalProperties === undefined ? undefined : this.compile(s.additionalProperties as Schema, depth + 1);
    const names = s.propertyNames === undefined ? undefined : this.compile(s.propertyNames as Schema, depth + 1);
    if (required.length === 0 && props.size === 0 && rest === undefined && names === undefined) return null;
    return (v) => {
      if (!isObject(v)) return null;
      for (const k of required) if (!own(v, k)) return `: no ${k}`;
      for (const k in v) {
        if (!own(v, k)) continue;
        if (names !== undefined) {
          const e = names(k);
          if (e !== null) return ` key ${step(k)}${e}`;
        }
        const sub = props.get(k) ?? rest;
        if (sub === undefined) continue;
        const e = sub(v[k]);
        if (e !== null) return `.${step(k)}${e}`;
      }
      return null;
    };
  }
}

function all(parts: Check[]): Check {
  if (parts.length === 0) return () => null;
  if (parts.length === 1) return parts[0]!;
  return (v) => {
    for (const p of parts) {
      const e = p(v);
      if (e !== null) return e;
    }
    return null;
  };
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

let compiled: { map: Check; entry: Check | undefined } | null | undefined;

function checks(): { map: Check; entry: Check | undefined } | null {
  if (compiled !== undefined) return compiled;
  const s = packageSchema();
  if (s === null) return (compiled = null);
  const c = new Compiler(s.root);
  const def = typeof s.root === 'object' ? (s.root.$defs as Record<string, Schema> | undefined)?.featureEntry : undefined;
  return (compiled = { map: c.compile(s.root, 0), entry: def === undefined ? undefined : c.compile(def, 0) });
}

/** Why `map` does not match the shipped capability schema, or null when it does. */
export function mapSchemaError(map: unknown): string | null {
  const c = checks();
  if (c === null) return minimal(map);
  const e = c.map(map);
  return e === null ? null : `map${e}`;
}

/** Why `entry` is not a valid feature entry, or null when it is. */
export function entrySchemaError(entry: unknown, id: string): string | null {
  const c = checks();
  if (c === null || c.entry === undefined) return minimal({ schema: 1, engineVersion: 1, kernel: 1, environment: 1, features: { [id]: entry } });
  const e = c.entry(entry);
  return e === null ? null : `behaviour.${step(id)}${e}`;
}

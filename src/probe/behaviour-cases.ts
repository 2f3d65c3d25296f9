/**
 * Load user behaviour cases from a directory: every *.json file holds a
 * declaration or an array of them; every *.js / *.cjs file exports one (or an
 * array, or { default }) and may add a run(ctx) hook. Nothing needs building:
 * plain JSON or CommonJS is enough.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PerfcompatError } from '../errors';
import type { BehaviourCheck } from './behaviour-types';

const NAME = /^[a-z0-9_]+$/;

/** Check one declaration's shape; throws naming the file and what is valid. */
export function validateCheck(c: unknown, where: string): BehaviourCheck {
  if (c === null || typeof c !== 'object') {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${where}: expected a behaviour check object { name, description, events, work, expect } or { name, description, run }`);
  }
  const o = c as Partial<BehaviourCheck>;
  if (typeof o.name !== 'string' || !NAME.test(o.name)) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${where}: name ${JSON.stringify(o.name)} must be lower-case letters, digits and _ (the id is behaviour.<name>)`);
  }
  if (typeof o.description !== 'string' || o.description.length === 0) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${where}: check ${o.name}: description must be a non-empty string`);
  }
  if (o.run !== undefined && typeof o.run !== 'function') {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${where}: check ${o.name}: run must be a function (only possible in a .js case)`);
  }
  if (o.run === undefined && (!Array.isArray(o.events) || o.events.length === 0)) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${where}: check ${o.name}: needs a non-empty events array (or a run(ctx) hook in a .js case)`);
  }
  if (o.expect !== undefined && !Array.isArray(o.expect)) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${where}: check ${o.name}: expect must be an array of { event, min?, max?, scaled? }`);
  }
  if (o.needs !== undefined && (!Array.isArray(o.needs) || o.needs.some((n) => typeof n !== 'string'))) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${where}: check ${o.name}: needs must be an array of feature ids`);
  }
  return o as BehaviourCheck;
}

function declarations(value: unknown): unknown[] {
  const v = value !== null && typeof value === 'object' && 'default' in value ? (value as { default: unknown }).default : value;
  return Array.isArray(v) ? v : [v];
}

/** The case files of a directory, in name order: .json, .js and .cjs. */
export function caseFiles(dir: string): string[] {
  const abs = resolve(dir);
  let names: string[];
  try {
    if (!statSync(abs).isDirectory()) throw new Error('not a directory');
    names = readdirSync(abs).sort();
  } catch (e) {
    throw new PerfcompatError('ERR_INVALID_ARGUMENT', `--cases ${dir}: not a readable directory (${e instanceof Error ? e.message : String(e)}); expected a directory of .json or .js behaviour cases`);
  }
  return names.filter((n) => n.endsWith('.json') || n.endsWith('.js') || n.endsWith('.cjs')).map((n) => join(abs, n));
}

/** Load every case of `dir`, in file-name order, each tagged with its file. */
export function loadCases(dir: string): Array<{ check: BehaviourCheck; source: string }> {
  const out: Array<{ check: BehaviourCheck; source: string }> = [];
  for (const file of caseFiles(dir)) {
    const name = basename(file);
    let value: unknown;
    if (name.endsWith('.json')) {
      try {
        value = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      }
    } else if (name.endsWith('.js') || name.endsWith('.cjs')) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        value = require(file);
      } catch (e) {
        throw new PerfcompatError('ERR_INVALID_ARGUMENT', `${file}: could not be loaded as CommonJS (${e instanceof Error ? e.message : String(e)})`);
      }
    } else {
      continue;
    }
    declarations(value).forEach((c, i) => out.push({ check: validateCheck(c, Array.isArray(value) ? `${file}[${i}]` : file), source: file }));
  }
  return out;
}

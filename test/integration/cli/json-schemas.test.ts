/**
 * The JSON the CLI writes on this machine, validated against the schemas in
 * schema/ compiled in ajv's strict mode with no allowances.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { ROOT, runCli } from '../../unit/cli/run-cli';
import { ownCache } from '../../helpers/own-cache';

function strictValidator(file: string): ReturnType<Ajv2020['compile']> {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema', file), 'utf8')) as object;
  return new Ajv2020({ strict: true, allErrors: true }).compile(schema);
}

function json(args: string[]): unknown {
  const r = runCli(args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

describe('CLI JSON output against the shipped schemas (ajv strict)', () => {
  ownCache();

  it('probe --json, fresh and from the cache, matches capabilities.schema.json', () => {
    const validate = strictValidator('capabilities.schema.json');
    for (const args of [['--json', '--refresh'], ['--json']]) {
      assert.ok(validate(json(args)), `${args.join(' ')}: ${JSON.stringify(validate.errors, null, 1)}`);
    }
  });
});

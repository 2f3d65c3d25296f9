/**
 * The JSON the CLI writes on this machine (probe, list, diff, test), validated
 * against the schemas in schema/ compiled in ajv's strict mode with no
 * allowances. The other schemas refer to the capabilities one by its $id.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { CapabilityMap } from '../../../src/model/capability-map';
import type { StatJsonLine } from '../../../src/cli/stat/machine-format';
import { ROOT, runCli } from '../../unit/cli/run-cli';
import { ownCache } from '../../helpers/own-cache';

function readSchema(file: string): { $defs?: Record<string, { properties?: Record<string, unknown> }> } {
  return JSON.parse(readFileSync(join(ROOT, 'schema', file), 'utf8')) as { $defs?: Record<string, { properties?: Record<string, unknown> }> };
}

function strictValidator(file: string): ReturnType<Ajv2020['compile']> {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  if (file !== 'capabilities.schema.json') ajv.addSchema(readSchema('capabilities.schema.json'));
  return ajv.compile(readSchema(file));
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

  it('probe list --json, with and without --all, matches list.schema.json', () => {
    const validate = strictValidator('list.schema.json');
    for (const args of [['list', '--json'], ['list', '--all', '--json']]) {
      const out = json(args);
      assert.ok(Array.isArray(out) && out.length > 0, args.join(' '));
      assert.ok(validate(out), `${args.join(' ')}: ${JSON.stringify(validate.errors, null, 1)}`);
    }
  });

  it('probe diff --json matches diff.schema.json, with and without differences', () => {
    const validate = strictValidator('diff.schema.json');
    const dir = mkdtempSync(join(tmpdir(), 'perfcompat-schema-diff-'));
    try {
      const here = join(dir, 'here.json');
      const map = json(['--json']) as CapabilityMap;
      writeFileSync(here, JSON.stringify(map));
      // This machine's map with its first supported feature made unsupported, its first refused one supported.
      const edited = structuredClone(map);
      const features = Object.entries(edited.features);
      const supported = features.find(([, e]) => e.status === 'supported');
      const refused = features.find(([, e]) => e.status !== 'supported' && e.reason !== undefined);
      assert.ok(supported !== undefined && refused !== undefined);
      edited.features[supported[0]] = { status: 'unsupported', errno: 22, errnoName: 'EINVAL', reason: 'edited for the test' };
      edited.features[refused[0]] = { status: 'supported' };
      edited.environment.pmus = edited.environment.pmus.slice(1);
      const other = join(dir, 'edited.json');
      writeFileSync(other, JSON.stringify(edited));
      const same = runCli(['diff', here, here, '--json']);
      assert.equal(same.status, 0, same.stderr);
      assert.ok(validate(JSON.parse(same.stdout)), JSON.stringify(validate.errors, null, 1));
      const lost = runCli(['diff', here, other, '--json']);
      assert.equal(lost.status, 1, lost.stderr);
      const d = JSON.parse(lost.stdout) as { lost: unknown[]; gained: unknown[]; pmusRemoved: unknown[] };
      assert.ok(d.lost.length > 0 && d.gained.length > 0 && d.pmusRemoved.length > 0);
      assert.ok(validate(d), JSON.stringify(validate.errors, null, 1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('probe stat --json lines, for a run, -r runs, -I intervals and a refused event, match stat.schema.json', () => {
    const validate = strictValidator('stat.schema.json');
    const runs = [
      ['stat', '--json', '--', 'true'],
      ['stat', '--json', '-r', '2', '-e', 'task-clock,page-faults', '--', 'true'],
      ['stat', '--json', '-I', '20', '-e', 'task-clock', '--', 'sleep', '0.1'],
      ['stat', '--json', '-e', 'task-clock,r1a3', '--', 'true'],
    ];
    for (const args of runs) {
      const r = runCli(args);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.ok(lines.length > 0, args.join(' '));
      for (const l of lines) assert.ok(validate(JSON.parse(l)), `${args.join(' ')}: ${l}: ${JSON.stringify(validate.errors, null, 1)}`);
    }
  });

  it('the stat schema names exactly the keys probe stat writes', () => {
    const keys: Record<keyof StatJsonLine, true> = {
      interval: true, 'counter-value': true, unit: true, event: true, variance: true, 'event-runtime': true, 'pcnt-running': true, 'metric-value': true, 'metric-unit': true, 'stand-in-for': true,
    };
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'stat.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(keys).sort());
  });

  it('probe test --json and test --list --json match test.schema.json', () => {
    const validate = strictValidator('test.schema.json');
    const results = runCli(['test', '--json']);
    assert.ok(results.status === 0 || results.status === 1, results.stderr);
    const out = JSON.parse(results.stdout) as unknown[];
    assert.ok(out.length > 0);
    assert.ok(validate(out), JSON.stringify(validate.errors, null, 1));
    assert.ok(validate(json(['test', '--list', '--json'])), JSON.stringify(validate.errors, null, 1));
  });

  it('a test result allows every field of a capability map entry', () => {
    const entry = Object.keys(readSchema('capabilities.schema.json').$defs?.featureEntry?.properties ?? {});
    const result = Object.keys(readSchema('test.schema.json').$defs?.result?.properties ?? {});
    assert.ok(entry.length > 5);
    assert.deepEqual(entry.filter((k) => !result.includes(k)), []);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { CapabilityMap, Environment, FeatureEntry, PmuInfo } from '../../../src/model/capability-map';
import { clone, vmMap } from './fixtures';

/** The package root, from dist/test/unit/cli. */
const ROOT = join(__dirname, '..', '..', '..', '..');
const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'capabilities.schema.json'), 'utf8')) as {
  properties: Record<string, unknown>;
  $defs: Record<string, { properties: Record<string, unknown> }>;
};

function validator(): ReturnType<Ajv2020['compile']> {
  return new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, validateFormats: false }).compile(schema);
}

// Every field of the TypeScript contract, optional ones included: adding a
// field to src/probe/types.ts breaks the build here until the schema has it.
const fullEntry: Required<FeatureEntry> = {
  status: 'unsupported', errno: 22, errnoName: 'EINVAL', mainline: '5.13', anomaly: 'missing', value: 3,
  base: 'software/cpu-clock', set: { sigtrap: 1 }, needs: ['attr.remove_on_exec'], inferredFrom: 'attr.size',
  reason: 'why', measured: { count: 1, ok: false }, permittedWith: { exclude_kernel: 1, exclude_hv: 1 },
};
const fullPmu: Required<PmuInfo> = {
  name: 'cpu', type: 4, formats: { event: 'config:0-7' }, caps: { max_precise: '3' }, events: ['cycles'],
  aliases: { cycles: { terms: 'event=0x3c', scale: 1, unit: 'cycles' } }, cpumask: '0-1', core: true,
};

describe('cli capability schema', () => {
  it('compiles as strict JSON Schema 2020-12', () => {
    assert.equal(typeof validator(), 'function');
  });

  it('compiles under ajv strict mode with no allowances (no union types, no unknown formats)', () => {
    const strict = new Ajv2020({ strict: true }).compile(schema);
    assert.ok(strict(vmMap()), JSON.stringify(strict.errors));
    const undated = clone(vmMap());
    undated.createdAt = 'yesterday';
    assert.equal(strict(undated), false, 'createdAt is checked without a formats plugin');
    const offset = clone(vmMap());
    offset.createdAt = '2026-11-27T03:00:00+01:00';
    assert.ok(strict(offset), JSON.stringify(strict.errors));
  });

  it('accepts a map with every optional field of the contract', () => {
    const map = clone(vmMap());
    map.features['attr.sigtrap'] = fullEntry;
    map.environment.pmus.push(fullPmu);
    const validate = validator();
    assert.ok(validate(map), JSON.stringify(validate.errors));
  });

  it('names exactly the fields of src/probe/types.ts', () => {
    assert.deepEqual(Object.keys(schema.$defs.featureEntry?.properties ?? {}).sort(), Object.keys(fullEntry).sort());
    assert.deepEqual(Object.keys(schema.$defs.pmu?.properties ?? {}).sort(), Object.keys(fullPmu).sort());
    const env: Record<keyof Environment, true> = { arch: true, paranoid: true, euid: true, capabilities: true, seccomp: true, container: true, pmus: true, bootId: true, tracefs: true, perfUserAccess: true };
    assert.deepEqual(Object.keys(schema.$defs.environment?.properties ?? {}).sort(), Object.keys(env).sort());
    const top: Record<keyof CapabilityMap, true> = { schema: true, engineVersion: true, kernel: true, environment: true, features: true, durationMs: true, createdAt: true, source: true };
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(top).sort());
  });

  it('rejects an unknown status, a newer schema and a stray field', () => {
    const validate = validator();
    const badStatus = clone(vmMap());
    (badStatus.features['attr.sigtrap'] as { status: string }).status = 'maybe';
    assert.equal(validate(badStatus), false);
    const newer = clone(vmMap()) as unknown as Record<string, unknown>;
    newer.schema = 'perfcompat/capabilities@2';
    assert.equal(validate(newer), false);
    const stray = clone(vmMap()) as unknown as Record<string, unknown>;
    stray.extra = 1;
    assert.equal(validate(stray), false);
  });
});

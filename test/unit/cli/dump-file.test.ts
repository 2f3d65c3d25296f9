import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../src/cli/command';
import { asCapabilityMap, readCapabilityDump } from '../../../src/cli/dump-file';
import { clone, vmMap } from './fixtures';

describe('cli dump files', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'perfcompat-dump-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  function write(name: string, text: string): string {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  }

  it('reads back a dump it wrote', () => {
    const p = write('ok.json', JSON.stringify(vmMap()));
    assert.deepEqual(readCapabilityDump(p), vmMap());
  });

  it('names a missing file', () => {
    assert.throws(() => readCapabilityDump(join(dir, 'nope.json')), (e: unknown) => e instanceof UsageError && /nope\.json: no such file; expected a capability dump/.test(e.message));
  });

  it('names a file that is not JSON', () => {
    const p = write('bad.json', '{ not json');
    assert.throws(() => readCapabilityDump(p), (e: unknown) => e instanceof UsageError && /bad\.json: not JSON/.test(e.message));
  });

  it('names JSON that is not a dump', () => {
    assert.throws(() => asCapabilityMap({ hello: 1 }, 'x.json'), /x\.json: not a capability dump \(no "schema": "perfcompat\/capabilities@1"\)/);
    assert.throws(() => asCapabilityMap([1, 2], 'y.json'), /y\.json: not a capability dump/);
  });

  it('refuses a dump of a newer schema and says to upgrade', () => {
    const m = clone(vmMap()) as unknown as Record<string, unknown>;
    m.schema = 'perfcompat/capabilities@2';
    assert.throws(() => asCapabilityMap(m, 'new.json'), /new\.json: a perfcompat\/capabilities@2 dump is newer than this perfcompat reads \(perfcompat\/capabilities@1\); upgrade perfcompat/);
  });

  it('refuses an entry with an unknown status, naming it', () => {
    const m = clone(vmMap());
    (m.features['attr.sigtrap'] as { status: string }).status = 'maybe';
    assert.throws(() => asCapabilityMap(m, 'z.json'), /z\.json: .*features\["attr\.sigtrap"\]\.status is "maybe", expected one of supported, unsupported/);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { ABI_FEATURES, encodeAttr, PERF_TYPE, PROT_READ, MAP_SHARED, MMAP_PAGE } from '../../../src/abi';
import { getCapabilities } from '../../../src/root';
import { mainlineFeatures, loadPersona, personaNames, simulate, compareRelease, PERSONAS, MAINLINE_PERSONAS } from '../../sim';

describe('personas: feature sets from the ABI mainline annotations', () => {
  it('compares releases numerically', () => {
    assert.ok(compareRelease('3.10', '3.9') > 0);
    assert.ok(compareRelease('4.1', '3.16') > 0);
    assert.equal(compareRelease('6.1', '6.1.0'), 0);
  });

  it('a mainline feature set holds exactly the ABI features added up to that release', () => {
    const f54 = mainlineFeatures('5.4');
    for (const f of ABI_FEATURES) assert.equal(f54.has(f.id), compareRelease(f.mainline, '5.4') <= 0, f.id);
    assert.ok(f54.has('attr.aux_output'));
    assert.ok(!f54.has('attr.cgroup'));
  });

  it('each mainline persona knows the attr size of its release', () => {
    const sizes = MAINLINE_PERSONAS.map((n) => [n, loadPersona(n).attrSize]);
    assert.deepEqual(sizes, [
      ['mainline-3.10', 96], ['mainline-4.1', 112], ['mainline-4.19', 112], ['mainline-5.4', 112],
      ['mainline-5.10', 120], ['mainline-6.1', 128], ['mainline-6.12', 136], ['mainline-6.18', 136],
    ]);
  });

  it('vendor overrides are data: backports added, compiled-out features removed', () => {
    const rhel = loadPersona('rhel7-backports');
    assert.equal(rhel.release, '3.10.0-1160.el7.x86_64');
    assert.ok(rhel.features.has('attr.use_clockid') && !loadPersona('mainline-3.10').features.has('attr.use_clockid'));
    assert.ok(loadPersona('debian-5.10-lost').features.has('read_format.lost'));
    assert.ok(!loadPersona('compiled-out-6.6').features.has('sample_type.cgroup'));
  });

  it('persona names are unique and every one loads', () => {
    assert.equal(new Set(personaNames()).size, PERSONAS.length);
    for (const n of personaNames()) assert.equal(loadPersona(n).name, n);
    assert.throws(() => loadPersona('no-such-persona'), /unknown persona "no-such-persona"; known: /);
  });

  it('overrides change one persona for one simulation only', () => {
    const a = simulate('mainline-6.1', { paranoid: 3, euid: 1000, add: ['attr.config3'] });
    assert.equal(a.environment.paranoid, 3);
    assert.equal(a.environment.euid, 1000);
    assert.equal(a.environment.capabilities.perfmon, false);
    assert.equal(a.kernel.persona.attrSize, 136);
    assert.equal(simulate('mainline-6.1').environment.paranoid, 2);
  });

  it('3.10 reports the pre-3.12 capability layout (bit 0), later kernels the fixed one', () => {
    const caps = (name: string): bigint => {
      const { kernel } = simulate(name, { clock: 'manual' });
      const r = kernel.perfEventOpen(encodeAttr({ type: PERF_TYPE.HARDWARE, config: 0, exclude_kernel: 1 }, { size: 64 }), 0, -1, -1, 0);
      assert.ok('fd' in r);
      const m = kernel.mmap(r.fd, 4096, PROT_READ, MAP_SHARED);
      assert.ok('mapping' in m);
      return new DataView(m.mapping.buffer).getBigUint64(MMAP_PAGE.capabilities.offset, true);
    };
    assert.equal(caps('mainline-3.10'), 1n);
    assert.equal(caps('mainline-6.18') & 1n, 0n);
    assert.equal(caps('mainline-6.18') & 2n, 2n);
  });
});

describe('personas: environment and maps match the published schema', function () {
  this.timeout(120_000);
  const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'schema', 'capabilities.schema.json'), 'utf8')) as object;
  const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema);

  for (const name of ['mainline-3.10', 'rhel7-backports', 'vm-no-pmu', 'arm64-graviton', 'paranoid2-user']) {
    it(`${name}: the map made on it validates`, () => {
      const map = getCapabilities(simulate(name));
      assert.ok(validate(map), JSON.stringify(validate.errors?.slice(0, 5)));
    });
  }
});

/**
 * The capability map of the kernel this runs on. Assertions hold with or
 * without a hardware PMU: hardware answers may be supported or no-hardware,
 * never unsupported. Kernel-version expectations are read from the map's own
 * release, not assumed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import semver from 'semver';
import Ajv2020 from 'ajv/dist/2020';
import { ABI_FEATURES } from '../../../src/abi/features';
import { HW_EVENTS } from '../../../src/abi/constants';
import { catalogue } from '../../../probes';
import { forgetCapabilities, getCapabilities } from '../../../src/probe/capabilities';
import { closesSettled } from '../../../src/root';
import type { ProbeDeclaration } from '../../../src/probe/declaration';
import type { FeatureId } from '../../../src/model/feature-id';
import { readEnvironment } from '../../../src/env/environment';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { fdChanges, openFds } from '../../helpers/fds';


describe('probe engine on this kernel', function () {
  this.timeout(60000);
  let dir: string;
  let map: CapabilityMap;
  let fdsAtStart: Map<string, string>;

  before(async function () {
    if (process.platform !== 'linux') this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-int-'));
    await closesSettled(); // an earlier test's probe may still be closing tracepoint fds off the thread
    fdsAtStart = openFds();
    map = getCapabilities({ cache: { dir }, refresh: true });
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  // The tracepoint probe's fd (where tracefs is mounted) is closed off the thread: none is open once closesSettled() resolves.
  it('leaves no fd open after a full probe, once closesSettled() resolves', async () => {
    await closesSettled();
    assert.deepEqual(fdChanges(fdsAtStart), []);
  });

  it('is valid against schema/capabilities.schema.json', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../schema/capabilities.schema.json'), 'utf8')) as object;
    const validate = ajv.compile(schema);
    assert.ok(validate(JSON.parse(JSON.stringify(map))), JSON.stringify(validate.errors?.slice(0, 3)));
  });

  it('has an entry for every feature id of the ABI tables', () => {
    const missing = ABI_FEATURES.filter((f) => !map.features[f.id]).map((f) => f.id);
    assert.deepEqual(missing, []);
    assert.ok(Object.keys(map.features).length >= ABI_FEATURES.length);
  });

  it('measures the attr size with the kernel and confirms it by opening', () => {
    const e = map.features['attr.size'];
    assert.equal(e.status, 'supported');
    const expected = semver.gte(map.kernel.semver ?? '0.0.0', '6.3.0') && semver.lt(map.kernel.semver ?? '0.0.0', '6.19.0') ? 136 : undefined;
    if (expected !== undefined) assert.equal(e.value, expected);
    else assert.ok(typeof e.value === 'number' && e.value >= 64);
  });

  it('never calls a feature older than this kernel unsupported, and newer ones never supported unless backported', () => {
    const ver = map.kernel.semver;
    assert.ok(ver, `release ${map.kernel.release} coerces to a version`);
    const wrong: string[] = [];
    for (const f of ABI_FEATURES) {
      if (f.id === 'attr.size') continue;
      const e = map.features[f.id];
      const known = semver.lte(semver.coerce(f.mainline)!, ver!);
      if (known && e.status === 'unsupported') wrong.push(`${f.id} (${f.mainline}) unsupported: ${e.reason}`);
      if (!known && e.status === 'supported' && e.anomaly !== 'backported') wrong.push(`${f.id} (${f.mainline}) supported without a backported annotation`);
    }
    assert.deepEqual(wrong, []);
  });

  it('answers the features of 6.18 here as the kernel has them', function () {
    const ver = map.kernel.semver ?? '0.0.0';
    if (!semver.satisfies(ver, '>=6.13.0 <6.19.0')) this.skip();
    for (const id of ['attr.sigtrap', 'read_format.lost', 'sample_type.weight_struct', 'event.software.cpu_clock', 'mmap.ring_buffer']) {
      assert.equal(map.features[id].status, 'supported', id);
    }
    for (const id of ['attr.config4', 'attr.defer_callchain', 'attr.defer_output']) {
      assert.equal(map.features[id].status, 'unsupported', id);
    }
  });

  it('calls hardware events no-hardware or supported, never unsupported', () => {
    const noPmu = !readEnvironment().pmus.some((p) => p.core);
    for (const e of HW_EVENTS) {
      const s = map.features[`event.hardware.${e.name}`].status;
      assert.ok(['supported', 'no-hardware', 'denied'].includes(s), `${e.name}: ${s}`);
      if (noPmu) assert.equal(s, 'no-hardware', e.name);
    }
  });

  it('infers "known" for branch bits this machine cannot record, never unsupported', () => {
    for (const f of ABI_FEATURES.filter((x) => x.kind === 'branch_sample_type')) {
      const e = map.features[f.id];
      assert.notEqual(e.status, 'unsupported', f.id);
      if (e.status !== 'supported') assert.ok(e.inferredFrom, `${f.id} says what it inferred from`);
    }
  });

  it('serves the second call from the cache (memory, then disk), in a 0600 file', () => {
    const again = getCapabilities({ cache: { dir } });
    assert.equal(again.source, 'cache');
    assert.deepEqual(again.features, map.features);
    forgetCapabilities();
    const fromDisk = getCapabilities({ cache: { dir } });
    assert.equal(fromDisk.source, 'cache');
    assert.deepEqual(fromDisk.features, map.features);
    const files = fs.readdirSync(dir);
    assert.equal(files.length, 1);
    assert.equal(fs.statSync(path.join(dir, files[0])).mode & 0o777, 0o600);
  });

  it('closes every fd when a probe throws midway (tracepoint closes off the thread settled)', async () => {
    const env = readEnvironment();
    const all = catalogue(env);
    const throwing: ProbeDeclaration = {
      // Not a family of the map: the engine runs whatever it is handed.
      id: 'test.throws' as FeatureId, description: 'a probe that throws midway', base: 'counting',
      hook: (ctx) => {
        ctx.open({ type: 1, config: 0, disabled: 1, exclude_kernel: 1, exclude_hv: 1 });
        ctx.open({ type: 1, config: 1, disabled: 1, exclude_kernel: 1, exclude_hv: 1 });
        throw new Error('injected midway');
      },
    };
    await closesSettled();
    const fdsBefore = openFds();
    const m = getCapabilities({ cache: false, refresh: true, catalogue: [...all.slice(0, 40), throwing, ...all.slice(40, 80)] });
    assert.equal(m.features['test.throws'].status, 'error');
    await closesSettled();
    assert.deepEqual(fdChanges(fdsBefore), []);
  });
});

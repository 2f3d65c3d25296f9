import assert from 'node:assert/strict';
import { ABI_FEATURES } from '../../../src/abi/features';
import { abiFeature } from '../../../src/abi/features';
import { catalogue, featureDescription } from '../../../probes';
import { fakeEnv } from './fixtures';

describe('probes/ catalogue', () => {
  const env = fakeEnv({ pmus: [{ name: 'software', type: 1, formats: {}, caps: {}, events: [] }, { name: 'cpu', type: 4, formats: {}, caps: {}, events: [], core: true }] });
  const decls = catalogue(env);

  it('declares every feature id of the ABI tables', () => {
    const ids = new Set<string>(decls.map((d) => d.id));
    const missing = ABI_FEATURES.filter((f) => !ids.has(f.id)).map((f) => f.id);
    assert.deepEqual(missing, []);
  });

  it('gives every declaration a description of its own, and featureDescription answers it with the mainline release', () => {
    const bad = decls.filter((d) => typeof d.description !== 'string' || d.description.trim() === '' || d.description === d.id).map((d) => d.id);
    assert.deepEqual(bad, []);
    const wrong = decls.filter((d) => {
      const got = featureDescription(d.id);
      return got?.description !== d.description || got.mainline !== (d.mainline ?? abiFeature(d.id)?.mainline);
    }).map((d) => d.id);
    assert.deepEqual(wrong, []);
    // A PMU this machine lacks is still described; an id nothing declares is not.
    assert.match(featureDescription('pmu.arm_spe_0')?.description ?? '', /arm_spe_0 PMU/);
    assert.equal(featureDescription('combo.nonsense'), undefined);
    assert.equal(featureDescription('nonsense'), undefined);
  });

  it('declares each id once', () => {
    const seen = new Map<string, number>();
    for (const d of decls) seen.set(d.id, (seen.get(d.id) ?? 0) + 1);
    assert.deepEqual([...seen].filter(([, n]) => n > 1), []);
  });

  it('covers the contract ids beyond the ABI tables', () => {
    const ids = new Set<string>(decls.map((d) => d.id));
    for (const id of [
      'event.hardware.cpu_cycles', 'event.software.dummy', 'event.hw_cache.l1d.read.miss', 'event.hw_cache.node.prefetch.access',
      'event.breakpoint', 'event.tracepoint', 'pmu.software', 'pmu.cpu', 'mmap.ring_buffer', 'mmap.cap_user_time',
      'mmap.cap_user_rdpmc', 'mmap.cap_user_time_zero', 'mmap.cap_user_time_short', 'access.kernel', 'access.cpu_wide',
      'combo.inherit_group_read', 'combo.inherit_sample_read', 'combo.sigtrap_without_remove_on_exec', 'combo.exclude_guest',
      'combo.exclude_host', 'combo.precise_ip', 'combo.clockid.monotonic', 'combo.clockid.monotonic_raw', 'combo.clockid.realtime',
      'combo.clockid.boottime', 'combo.clockid.tai', 'combo.aux_output', 'combo.hw_sw_group', 'combo.group_schedulability',
    ]) assert.ok(ids.has(id), id);
    assert.equal(decls.filter((d) => d.id.startsWith('event.hw_cache.')).length, 7 * 3 * 2);
  });

  it('declares what each feature needs first where the kernel demands it', () => {
    const byId = new Map(decls.map((d) => [d.id, d]));
    assert.deepEqual(byId.get('attr.sigtrap')?.needs, ['attr.remove_on_exec']);
    assert.equal(byId.get('attr.sigtrap')?.set?.remove_on_exec, 1);
    assert.deepEqual(byId.get('attr.inherit_thread')?.needs, ['attr.inherit']);
    assert.equal(byId.get('attr.inherit_thread')?.set?.inherit, 1);
  });
});

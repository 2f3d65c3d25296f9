/**
 * Issue 14 item 3 / issue 15 item 10: mmap.cap_user_rdpmc asked the way each
 * kernel grants it, and the stand-in wording, on the qemu arm64 PMUv3 persona
 * and on an x86 VM without a PMU. Expected values come from the personas.
 */
import assert from 'node:assert/strict';
import { getCapabilities } from '../../../src/root';
import { openEvent } from '../../../src/shim';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { simulate, PersonaPmu } from '../../sim';

const NAME = 'qemu-arm64-pmuv3';

function setup(overrides = {}): { sim: ReturnType<typeof simulate>; map: CapabilityMap; pmu: PersonaPmu } {
  const sim = simulate(NAME, { clock: 'manual', ...overrides });
  const map = getCapabilities({ ...sim });
  return { sim, map, pmu: sim.kernel.persona.pmu! };
}

describe(`${NAME}: user-space counter reads and stand-in wording`, function () {
  this.timeout(120_000);

  // __armv8_pmuv3_map_event sets PERF_EVENT_FLAG_USER_READ_CNT only for config1:rdpmc;
  // armv8pmu_user_event_idx gives the page a counter index only while kernel.perf_user_access is 1.
  it('mmap.cap_user_rdpmc is supported with perf_user_access 1, probed with config1:rdpmc', () => {
    const { map, sim } = setup({ perfUserAccess: 1 });
    const e = map.features['mmap.cap_user_rdpmc']!;
    assert.equal(e.status, 'supported', e.reason);
    assert.match(e.base ?? '', new RegExp(sim.environment.pmus.find((p) => p.core)!.formats['rdpmc']!));
  });

  it('mmap.cap_user_rdpmc is denied with perf_user_access 0, naming the sysctl (index 0), not no-hardware', () => {
    const { map } = setup({ perfUserAccess: 0 });
    const e = map.features['mmap.cap_user_rdpmc']!;
    assert.equal(e.status, 'denied');
    assert.match(e.reason ?? '', /perf_user_access/);
    assert.equal(map.environment.perfUserAccess, 0);
  });

  // Decides wrongly before: src/shim/plan-steps/event-step.ts (`why: no hardware PMU here; …`).
  // Rule: the PMU is there (armv8_pmuv3 opens cycles); only instructions is missing from PMCEID.
  it('the instructions stand-in says this PMU has no instructions event, not that there is no PMU', () => {
    const { sim, map, pmu } = setup();
    const ev = openEvent('instructions', { kernel: sim.kernel, capabilities: map, policy: { fallback: 'software' } });
    try {
      const a = ev.adaptations.find((x) => x.featureId === 'event.hardware.instructions');
      assert.ok(a, JSON.stringify(ev.adaptations));
      assert.doesNotMatch(a.why, /no hardware PMU/);
      assert.match(a.why, /instructions/);
      assert.ok(a.why.includes(pmu.name) || /this PMU/.test(a.why), a.why);
    } finally { ev.close(); }
  });

  it('the refusal without a stand-in names the PMU that lacks the event, not "no PMU on this machine"', () => {
    const { sim, map, pmu } = setup();
    assert.throws(() => openEvent('instructions', { kernel: sim.kernel, capabilities: map }), (err: Error) => {
      assert.doesNotMatch(err.message, /no PMU on this machine/);
      assert.ok(err.message.includes(pmu.name), err.message);
      return true;
    });
  });
});

describe('vm-no-pmu: cap_user_rdpmc on a machine without a PMU', () => {
  // arch_perf_update_userpage (x86) computes the bit from event->hw.flags for
  // every event; a software hrtimer event's union shares those bits, so the
  // page of a software event may show it (the kernel matrix: 5.10, 6.1, 6.12
  // amd64 without a PMU). The persona's software page carries that bit here.
  it('is no-hardware ("no hardware counter to read") even when a software page shows the bit', () => {
    const sim = simulate('vm-no-pmu', { softwareMmapCaps: ['cap_user_rdpmc', 'cap_user_time'] });
    const map = getCapabilities({ ...sim });
    const e = map.features['mmap.cap_user_rdpmc']!;
    assert.equal(e.status, 'no-hardware', e.reason);
    assert.match(e.reason ?? '', /no hardware counter to read/);
  });

  it('a hardware PMU that offers user reads (x86, no request term) is supported with its index', () => {
    const sim = simulate('mainline-6.12', { clock: 'manual' });
    const map = getCapabilities({ ...sim });
    const e = map.features['mmap.cap_user_rdpmc']!;
    const offered = (sim.kernel.persona.pmu!.mmapCaps ?? []).includes('cap_user_rdpmc');
    assert.equal(e.status, offered ? 'supported' : 'no-hardware', e.reason);
  });
});

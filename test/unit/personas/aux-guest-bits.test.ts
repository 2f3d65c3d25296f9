/**
 * Guest/host bits on AUX PMUs (issue 15, item 5). The shim cleared
 * exclude_guest / exclude_host on every non-core hardware PMU, by the rule of
 * PERF_PMU_CAP_NO_EXCLUDE (uncore, msr: perf_try_init_event EINVAL). intel_pt
 * and arm_spe register no such capability and their event_init reads no
 * guest/host bit (pt_event_init, arm_spe_pmu_event_init), so an event there
 * is sent as asked — what perf sends for `intel_pt//u`. The PMUs are the
 * personas' own (intel-client-pt: intel_pt; vm-no-pmu: msr).
 */
import assert from 'node:assert/strict';
import { getCapabilities } from '../../../src/root';
import { openEvent } from '../../../src/shim';
import { simulate } from '../../sim';

function open(name: string, pmuName: string | undefined, attr: Record<string, number>) {
  const sim = simulate(name, { clock: 'manual' });
  const map = getCapabilities({ ...sim });
  const pmu = sim.kernel.persona.extraPmus.find((p) => pmuName === undefined || p.name === pmuName)!;
  const ev = openEvent({ type: pmu.type, config: 0, ...attr }, { kernel: sim.kernel, capabilities: map });
  try {
    return { sent: sim.kernel.event(ev.fd)!.attr, adaptations: ev.adaptations, pmu: pmu.name };
  } finally { ev.close(); }
}

describe('exclude_guest / exclude_host on AUX PMUs (issue 15, item 5)', function () {
  this.timeout(60_000);

  for (const bit of ['exclude_guest', 'exclude_host'] as const) {
    // Decided wrongly: src/shim/plan-steps/guest-host-step.ts cleared both bits on every non-core PMU.
    it(`intel_pt: ${bit} is sent as asked (pt_event_init takes it), no adaptation`, () => {
      const { sent, adaptations } = open('intel-client-pt', 'intel_pt', { [bit]: 1, exclude_kernel: 1, exclude_hv: 1 });
      assert.equal(sent[bit], 1);
      assert.ok(!adaptations.some((a) => a.what === `cleared ${bit}`), JSON.stringify(adaptations));
    });
  }

  it('msr (PERF_PMU_CAP_NO_EXCLUDE) still gets the bit cleared', () => {
    const { sent, adaptations } = open('vm-no-pmu', undefined, { exclude_guest: 1 });
    assert.notEqual(sent.exclude_guest, 1);
    assert.ok(adaptations.some((a) => a.what === 'cleared exclude_guest'), JSON.stringify(adaptations));
  });
});

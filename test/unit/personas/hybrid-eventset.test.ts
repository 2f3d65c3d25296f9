/**
 * Issue 15 item 7: on a hybrid CPU (cpu_core + cpu_atom) each core PMU is its
 * own scheduling context — perf_event_open refuses a group whose members sit
 * on different PMUs (kernel/events/core.c: the group leader's pmu_ctx must be
 * the new event's; x86 validate_group of a hybrid PMU) — and a generic event
 * without an extended type counts on one PMU only (perf_init_event maps type
 * 0 with config bits 32+ clear to PERF_TYPE_RAW: cpu_core). perf opens one
 * event per core PMU and sums them for the name the user gave; so does EventSet.
 */
import assert from 'node:assert/strict';
import { getCapabilities } from '../../../src/root';
import { EventSet, openEvent } from '../../../src/shim';
import { simulate } from '../../sim';

function setup(clock: 'manual' | 'real' = 'manual'): { sim: ReturnType<typeof simulate>; map: ReturnType<typeof getCapabilities> } {
  const sim = simulate('hybrid-alderlake', { clock });
  return { sim, map: getCapabilities({ ...sim }) };
}

describe('hybrid-alderlake: EventSet groups per core PMU', function () {
  this.timeout(120_000);

  it('cpu_core and cpu_atom events go to groups of their own PMU (the second add opens)', () => {
    // The real clock: the group-limit probe needs time to pass to see a group run.
    const { sim, map } = setup('real');
    const set = new EventSet({ kernel: sim.kernel, capabilities: map });
    try {
      set.add('cpu_core/cycles/').add('cpu_atom/cycles/').add('cpu_core/instructions/');
      assert.deepEqual(set.groups, [['cpu_core/cycles/', 'cpu_core/instructions/'], ['cpu_atom/cycles/']]);
    } finally { set.close(); }
  });

  it("add('cycles') counts on every core PMU and reports their sum under the one name", () => {
    const { sim, map } = setup();
    const cores = sim.kernel.persona;
    const set = new EventSet({ kernel: sim.kernel, capabilities: map });
    const lone = [cores.pmu!, ...cores.hybridPmus].map((p) => openEvent(`${p.name}/cycles/`, { kernel: sim.kernel, capabilities: map }));
    try {
      set.add('cycles');
      assert.equal(set.size, 1);
      assert.deepEqual(set.names, ['cycles']);
      set.start();
      for (const ev of lone) ev.enable();
      sim.kernel.work(1_000_000);
      const [v] = set.stop();
      const expected = lone.reduce((s, ev) => s + Number(ev.read().values[0]!.value), 0);
      assert.ok(expected > 0);
      assert.equal(v, expected);
      const [rv] = set.readValues();
      assert.equal(Number(rv!.value), expected);
      assert.equal(rv!.name, 'cycles');
    } finally { set.close(); for (const ev of lone) ev.close(); }
  });

  it("the parts of add('cycles') and add('instructions') group by core PMU (config's extended type), no group refused", () => {
    const { sim, map } = setup();
    const cores = [sim.kernel.persona.pmu!, ...sim.kernel.persona.hybridPmus];
    const set = new EventSet({ kernel: sim.kernel, capabilities: map });
    try {
      set.add('cycles').add('instructions');
      assert.deepEqual(set.names, ['cycles', 'instructions']);
      assert.deepEqual(set.groups, cores.map((p) => [`${p.name}/cycles/`, `${p.name}/instructions/`]));
      assert.deepEqual(set.splits.filter((l) => /refused/.test(l)), []);
      set.start();
      sim.kernel.work(1_000_000);
      const v = set.stop();
      assert.equal(v.length, 2);
      const rv = set.readValues();
      assert.deepEqual(rv.map((x) => x.name), ['cycles', 'instructions']);
      assert.deepEqual(Array.from(v), rv.map((x) => Number(x.scaled)));
    } finally { set.close(); }
  });

  // The probe's base is generic cycles (type 0, no extended type): perf_init_event puts it on
  // the PMU registered as PERF_TYPE_RAW (cpu_core), so the limit is that PMU's alone.
  it('combo.group_schedulability says which core PMU it measured, and which it did not', () => {
    const { sim, map } = setup('real');
    const e = map.features['combo.group_schedulability']!;
    const [core, ...others] = [sim.kernel.persona.pmu!, ...sim.kernel.persona.hybridPmus];
    assert.equal(e.measured?.pmu, core!.name);
    for (const o of others) assert.match(e.reason ?? '', new RegExp(`not on [^;]*${o.name}`));
  });
});

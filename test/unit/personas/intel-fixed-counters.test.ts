/**
 * Issue 15 item 8 on a persona with x86 fixed counters (intel-fixed-counters:
 * intel_pmu_init's fixed counters for instructions, cycles and ref-cycles
 * beside 4 general-purpose ones; validate_group on a fake cpuc): the group
 * limit is measured per class and never overstated for general-purpose
 * events; EventSet starts a new group at the limit or where validate_group
 * refuses one, never throws at add; a group that opens but never runs reads
 * as "not counted", never 0. Expected values come from the persona's own PMU
 * description. Each test failed on the code before the fix (the limit was
 * measured alternating cycles/instructions: GP+2; EventSet.add threw EINVAL;
 * a stuck group read 0).
 */
import assert from 'node:assert/strict';
import { getCapabilities } from '../../../src/root';
import { EventSet } from '../../../src/shim';
import { runBehaviourTests } from '../../../src/probe/behaviour-runner';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { simulate, PersonaPmu } from '../../sim';

const NAME = 'intel-fixed-counters';

function setup(name = NAME): { sim: ReturnType<typeof simulate>; map: CapabilityMap; pmu: PersonaPmu; general: number; cyclesOnly: number } {
  const sim = simulate(name, { clock: 'manual' });
  const map = getCapabilities({ ...sim, behaviour: true });
  const pmu = sim.kernel.persona.pmu!;
  const dedicated = pmu.dedicated ?? [];
  const general = pmu.counters - dedicated.reduce((s, c) => s + c.counters, 0);
  const cyclesOnly = dedicated.filter((c) => c.events.includes('cpu_cycles')).reduce((s, c) => s + c.counters, 0);
  return { sim, map, pmu, general, cyclesOnly };
}

describe(`${NAME}: the group limit with fixed counters`, function () {
  this.timeout(120_000);

  it('combo.group_schedulability counts cycles (GP + the fixed cycles counter) and records the general-purpose limit apart', () => {
    const { map, general, cyclesOnly } = setup();
    const e = map.features['combo.group_schedulability']!;
    assert.equal(e.status, 'supported', e.reason);
    assert.equal(e.value, general + cyclesOnly, e.reason);
    assert.equal(e.measured?.generalPurpose, general, JSON.stringify(e.measured));
    assert.match(e.reason ?? '', /cycles-class/);
    assert.match(e.reason ?? '', new RegExp(`Other events get ${general}`));
  });

  it('behaviour.schedulability records the same two limits', () => {
    const { sim, general, cyclesOnly } = setup();
    const [r] = runBehaviourTests({ kernel: sim.kernel, only: ['schedulability'] });
    assert.equal(r?.outcome, 'ok', r?.entry.reason);
    assert.equal(r?.entry.value, general + cyclesOnly);
    assert.equal(r?.entry.measured?.generalPurpose, general);
  });

  it('an EventSet of GP+1 general-purpose events opens in 2 groups, each of which runs', () => {
    const { sim, map, general } = setup();
    const set = new EventSet({ kernel: sim.kernel, capabilities: map });
    try {
      for (let i = 0; i <= general; i++) set.add('branch-instructions');
      assert.equal(set.groups.length, 2, JSON.stringify(set.splits));
      assert.equal(set.policyDecision.generalLimit, general);
      set.start();
      sim.kernel.work(1_000_000);
      set.stop();
      for (const v of set.readValues()) assert.ok(v.counted && v.timeRunning > 0n, JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x)));
    } finally { set.close(); }
  });

  it('cycles events fill a group up to the cycles limit (the fixed counter too)', () => {
    const { sim, map, general, cyclesOnly } = setup();
    const set = new EventSet({ kernel: sim.kernel, capabilities: map });
    try {
      for (let i = 0; i < general + cyclesOnly; i++) set.add('cycles');
      assert.equal(set.groups.length, 1, JSON.stringify(set.splits));
      set.add('cycles');
      assert.equal(set.groups.length, 2, JSON.stringify(set.splits));
    } finally { set.close(); }
  });

  it('where the map overstates the limit, a group validate_group refuses starts a new group at add (no throw)', () => {
    const { sim, map, general } = setup();
    const features = { ...map.features };
    features['combo.group_schedulability'] = { status: 'supported', value: 12 };
    delete features['behaviour.schedulability'];
    const set = new EventSet({ kernel: sim.kernel, capabilities: { ...map, features } });
    try {
      for (let i = 0; i <= general; i++) set.add('branch-instructions');
      assert.equal(set.groups.length, 2);
      assert.ok(set.splits.some((s) => /refused it in group 0 \(EINVAL at open: validate_group/.test(s)), JSON.stringify(set.splits));
    } finally { set.close(); }
  });
});

describe('nmi-watchdog: a group that opens but never runs is not counted, never 0', function () {
  this.timeout(120_000);

  it('read() gives EventSet.NOT_COUNTED, readValues() counted false with the reason, accum() adds nothing', () => {
    const { sim, map, pmu } = setup('nmi-watchdog');
    const features = { ...map.features };
    // A map that knows no limit: the set puts as many general-purpose events in one group as the PMU has counters.
    delete features['combo.group_schedulability'];
    delete features['behaviour.schedulability'];
    const set = new EventSet({ kernel: sim.kernel, capabilities: { ...map, features } });
    try {
      for (let i = 0; i < pmu.counters; i++) set.add('branch-instructions');
      assert.equal(set.groups.length, 1);
      set.start();
      sim.kernel.work(1_000_000);
      const v = set.stop();
      assert.deepEqual([...v], new Array(pmu.counters).fill(EventSet.NOT_COUNTED));
      for (const e of set.readValues()) {
        assert.equal(e.counted, false);
        assert.match(e.notCounted ?? '', /never put on the PMU.*not counted/);
      }
      const acc = new Float64Array(pmu.counters).fill(5);
      set.accum(acc);
      assert.deepEqual([...acc], new Array(pmu.counters).fill(5));
      assert.equal(JSON.parse(JSON.stringify([...v]))[0], EventSet.NOT_COUNTED, 'survives JSON');
    } finally { set.close(); }
  });
});

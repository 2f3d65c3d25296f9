/**
 * precise_ip honoured vs accepted (issue 14, item 3) and the exclude_* rules
 * of the PMUs users have (issue 15, items 5, 6, 12): each expected value comes
 * from the persona's own PMU description (test/sim/personas/*.ts, which cite
 * the driver functions), never typed twice.
 */
import assert from 'node:assert/strict';
import { getCapabilities } from '../../../src/root';
import { openEvent } from '../../../src/shim';
import { shimPathFor } from '../../../src/shim';
import { formatExplain } from '../../../src/cli/explain-text';
import { palette } from '../../../src/cli/color';
import type { CapabilityMap } from '../../../src/model/capability-map';
import { simulate, PersonaPmu } from '../../sim';
import type { PersonaSpec } from '../../sim/persona';

/** What `probe explain <id>` prints, as one line. */
export function explainText(id: string, map: CapabilityMap): string {
  return formatExplain({ id, map, shimPath: shimPathFor(id, map), palette: palette(false), width: 400 }).join(' ');
}

function setup(name: string, overrides: Partial<PersonaSpec> = {}): { sim: ReturnType<typeof simulate>; map: CapabilityMap; pmu: PersonaPmu } {
  const sim = simulate(name, { clock: 'manual', ...overrides });
  const map = getCapabilities({ ...sim });
  return { sim, map, pmu: sim.kernel.persona.pmu! };
}

describe('precise_ip: the honoured level, told by PERF_RECORD_MISC_EXACT_IP', function () {
  this.timeout(120_000);

  // arm_pmu.c / arm_pmuv3.c never read precise_ip: every level opens, no sample is exact.
  it('qemu-arm64-pmuv3: combo.precise_ip reports the honoured level (0), saying the levels are accepted and ignored', () => {
    const { map, pmu } = setup('qemu-arm64-pmuv3');
    const e = map.features['combo.precise_ip']!;
    assert.equal(e.value, pmu.honouredPrecise);
    assert.notEqual(e.status, 'supported');
    assert.match(e.reason ?? '', /ignored|EXACT_IP/);
    assert.match(e.reason ?? '', new RegExp(`${pmu.maxPrecise}`), 'says which levels opened');
  });

  it('qemu-arm64-pmuv3: cycles:p is lowered to no precise_ip with a recorded adaptation (allowPreciseDowngrade)', () => {
    const { sim, map } = setup('qemu-arm64-pmuv3');
    const ev = openEvent('cycles:p', { kernel: sim.kernel, capabilities: map, policy: { allowPreciseDowngrade: true } });
    try {
      assert.ok(ev.adaptations.some((a) => a.featureId === 'combo.precise_ip'), JSON.stringify(ev.adaptations));
      assert.equal(Number(sim.kernel.event(ev.fd)!.attr.precise_ip ?? 0), 0);
    } finally { ev.close(); }
  });

  it('qemu-arm64-pmuv3: cycles:pp without allowPreciseDowngrade is refused, naming the measurement', () => {
    const { sim, map } = setup('qemu-arm64-pmuv3');
    assert.throws(() => openEvent('cycles:pp', { kernel: sim.kernel, capabilities: map }), /precise/);
  });

  it('an x86 PMU with PEBS: the highest level that opens is honoured, and the reason says it was sampled', () => {
    const { map, pmu } = setup('mainline-6.12');
    const e = map.features['combo.precise_ip']!;
    assert.equal(e.status, 'supported');
    assert.equal(e.value, pmu.honouredPrecise ?? pmu.maxPrecise);
    assert.match(e.reason ?? '', /EXACT_IP/);
  });

  it('a PMU that honours less than it accepts reports the honoured level, naming the ignored ones', () => {
    const { map } = setup('mainline-6.12', { pmu: { ...simulate('mainline-6.12').kernel.persona.pmu!, honouredPrecise: 2 } });
    const e = map.features['combo.precise_ip']!;
    assert.equal(e.status, 'supported');
    assert.equal(e.value, 2);
    assert.match(e.reason ?? '', /3 accepted and ignored/);
  });

  it('probe explain of combo.precise_ip says what was measured (the samples) and what the shim does', () => {
    const { map } = setup('qemu-arm64-pmuv3');
    const text = explainText('combo.precise_ip', map);
    assert.match(text, /EXACT_IP/);
    assert.match(text, /refused|cleared|lowered/);
  });
});

describe('bases carry no restriction the caller does not need (issue 15, item 5)', function () {
  this.timeout(120_000);

  // amd_pmu_hw_config → forward_event_to_ibs: precise cycles on ibs_op, PERF_PMU_CAP_NO_EXCLUDE.
  it('amd-zen3-ibs, root: combo.precise_ip is the IBS level, honoured', () => {
    const { map, pmu } = setup('amd-zen3-ibs');
    const e = map.features['combo.precise_ip']!;
    assert.equal(e.status, 'supported', e.reason);
    assert.equal(e.value, pmu.rules!.preciseVia!.maxPrecise);
    assert.match(e.reason ?? '', /EXACT_IP/);
  });

  it('amd-zen3-ibs, root: cycles:pp opens with precise_ip 2, exclude_guest cleared (IBS takes no exclude bit)', () => {
    const { sim, map, pmu } = setup('amd-zen3-ibs');
    const ev = openEvent('cycles:pp', { kernel: sim.kernel, capabilities: map });
    try {
      const attr = sim.kernel.event(ev.fd)!.attr;
      assert.equal(Number(attr.precise_ip), pmu.rules!.preciseVia!.maxPrecise);
      assert.notEqual(attr.exclude_guest, 1);
      assert.ok(ev.adaptations.some((a) => a.what === 'cleared exclude_guest'), JSON.stringify(ev.adaptations));
    } finally { ev.close(); }
  });

  it('amd-zen3-ibs, unprivileged at paranoid 2: precise_ip is not claimed (IBS cannot count user space only)', () => {
    const { map } = setup('amd-zen3-ibs', { euid: 1000, paranoid: 2 });
    const e = map.features['combo.precise_ip']!;
    assert.notEqual(e.status, 'supported');
    assert.equal(e.value, 0);
    assert.equal(map.features['event.hardware.cpu_cycles']?.status, 'supported');
    assert.match(e.reason ?? '', /user space only.*NO_EXCLUDE/);
  });

  // riscv_pmu_legacy: PERF_PMU_CAP_NO_EXCLUDE on the core PMU.
  it('riscv-legacy-pmu, root: every hardware event of the PMU is supported, and counts', () => {
    const { sim, map, pmu } = setup('riscv-legacy-pmu');
    for (const name of pmu.hardwareEvents!) assert.equal(map.features[`event.hardware.${name}`]?.status, 'supported', name);
    assert.equal(map.features['event.hardware.bus_cycles']?.status, 'no-hardware');
    const ev = openEvent('cycles', { kernel: sim.kernel, capabilities: map });
    try {
      ev.enable();
      sim.kernel.work(1_000_000);
      ev.disable();
      assert.ok(ev.read().values[0]!.value > 0n);
    } finally { ev.close(); }
  });

  it('riscv-legacy-pmu, unprivileged at paranoid 2: hardware events are denied (the PMU cannot exclude the kernel), not absent', () => {
    const { map } = setup('riscv-legacy-pmu', { euid: 1000, paranoid: 2 });
    assert.equal(map.features['event.hardware.cpu_cycles']?.status, 'denied', map.features['event.hardware.cpu_cycles']?.reason);
  });
});

describe('Apple M1: exclude_guest required (issue 15, item 6)', function () {
  this.timeout(120_000);

  for (const errno of ['EOPNOTSUPP', 'EINVAL'] as const) {
    it(`m1_pmu_set_event_filter refusing with ${errno}${errno === 'EINVAL' ? ' (robustness: user space sees EOPNOTSUPP)' : ''}: combo.exclude_guest is 'required', hardware events and combos supported`, () => {
      const pmu = simulate('apple-m1').kernel.persona.pmu!;
      const { map } = setup('apple-m1', { pmu: { ...pmu, rules: { requiresExcludeGuest: errno } } });
      const g = map.features['combo.exclude_guest']!;
      assert.equal(g.status, 'supported');
      assert.equal(g.value, 'required');
      assert.match(g.reason ?? '', new RegExp(errno));
      for (const name of pmu.hardwareEvents!) assert.equal(map.features[`event.hardware.${name}`]?.status, 'supported', name);
      assert.equal(map.features['combo.hw_sw_group']?.status, 'supported', map.features['combo.hw_sw_group']?.reason);
    });
  }

  it('the shim sets exclude_guest on hardware events, recorded, and they count', () => {
    const { sim, map } = setup('apple-m1');
    const ev = openEvent('instructions', { kernel: sim.kernel, capabilities: map });
    try {
      assert.equal(sim.kernel.event(ev.fd)!.attr.exclude_guest, 1);
      assert.ok(ev.adaptations.some((a) => a.what === 'set exclude_guest' && a.featureId === 'combo.exclude_guest'));
      ev.enable();
      sim.kernel.work(1_000_000);
      ev.disable();
      assert.ok(ev.read().values[0]!.value > 0n);
    } finally { ev.close(); }
    assert.match(explainText('combo.exclude_guest', map), /set exclude_guest/);
  });
});

describe('per-PMU exclude bits (issue 15, item 12)', function () {
  this.timeout(120_000);

  it('an event of a PMU without exclusion (msr) is sent without the exclude_guest :u/:p would set', () => {
    const { sim, map } = setup('vm-no-pmu');
    const ev = openEvent({ type: sim.kernel.persona.extraPmus[0]!.type, config: 0, exclude_guest: 1 }, { kernel: sim.kernel, capabilities: map });
    try {
      assert.notEqual(sim.kernel.event(ev.fd)!.attr.exclude_guest, 1);
      assert.ok(ev.adaptations.some((a) => a.what === 'cleared exclude_guest'), JSON.stringify(ev.adaptations));
    } finally { ev.close(); }
  });
});

describe('paranoid 3/4 advice names CAP_SYS_ADMIN (issue 15, item 14)', function () {
  this.timeout(60_000);

  // Debian/Ubuntu: perf_event_open starts with perf_paranoid_any() && !capable(CAP_SYS_ADMIN) → EACCES.
  for (const paranoid of [3, 4]) {
    it(`paranoid ${paranoid}, a caller with CAP_PERFMON only: the refusal names CAP_SYS_ADMIN, not CAP_PERFMON`, () => {
      const sim = simulate('paranoid3-user', { paranoid, caps: { perfmon: true } });
      assert.throws(() => getCapabilities({ ...sim }), (err: Error) => {
        assert.match(err.message, /CAP_SYS_ADMIN/);
        assert.doesNotMatch(err.message, /grant CAP_PERFMON/);
        assert.match(err.message, /CAP_PERFMON is not enough/);
        return true;
      });
    });
  }

  it('paranoid 2: the advice stays CAP_PERFMON', () => {
    const sim = simulate('paranoid3-user', { paranoid: 2, seccomp: 'EPERM' });
    assert.throws(() => getCapabilities({ ...sim }), /CAP_PERFMON/);
  });
});

describe('a denied answer is not the end: permittedWith (issue 15, item 15)', function () {
  this.timeout(60_000);

  it('paranoid2-user: access.kernel is denied with the user-space-only form it was measured to open, and the shim uses it', () => {
    const { sim, map } = setup('paranoid2-user');
    const k = map.features['access.kernel']!;
    assert.equal(k.status, 'denied');
    assert.deepEqual(k.permittedWith, { exclude_kernel: 1, exclude_hv: 1 });
    const ev = openEvent('cycles', { kernel: sim.kernel, capabilities: map });
    try {
      const attr = sim.kernel.event(ev.fd)!.attr;
      for (const [f, v] of Object.entries(k.permittedWith!)) assert.equal(Number(attr[f]), Number(v), f);
      assert.ok(ev.adaptations.some((a) => a.featureId === 'access.kernel' && /permittedWith/.test(a.why)), JSON.stringify(ev.adaptations));
    } finally { ev.close(); }
    assert.match(explainText('access.kernel', map), /permitted for this caller user space only/);
  });

  it('a denied entry with no permitted form carries none (access.cpu_wide at paranoid 2)', () => {
    const { map } = setup('paranoid2-user');
    assert.equal(map.features['access.cpu_wide']?.status, 'denied');
    assert.equal(map.features['access.cpu_wide']?.permittedWith, undefined);
  });

  it('root has no denied entry, so no permittedWith', () => {
    const { map } = setup('mainline-6.12');
    assert.deepEqual(Object.entries(map.features).filter(([, e]) => e.permittedWith).map(([id]) => id), []);
  });
});

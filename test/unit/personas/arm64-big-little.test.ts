/**
 * Issue 15: the Arm PMUv3 big.LITTLE persona (test/sim/personas/arm64-big-little.ts):
 * one arm_pmu per cluster, each with its own type and `cpus`, events bound to a
 * CPU of the other cluster ENOENT (armpmu_event_init). The engine's map, name
 * resolution, the group limit's PMU and EventSet are run on it. Every expected
 * value comes from the persona's own PMUs, read from the simulated kernel.
 */
import assert from 'node:assert/strict';
import { encodeAttr, ERRNO, HW_EVENTS, PERF_TYPE, PERF_PMU_TYPE_SHIFT } from '../../../src/abi';
import { isCorePmu } from '../../../src/env';
import { resolveEvent } from '../../../src/events';
import { getCapabilities } from '../../../src/root';
import { EventSet } from '../../../src/shim';
import { isErr } from '../../../src/sys/kernel';
import { corePmus, simulate, PersonaPmu, SimKernel } from '../../sim';

const NAME = 'arm64-big-little';
const CYCLES = HW_EVENTS.find((e) => e.name === 'cpu_cycles')!.value;

function setup(): { sim: ReturnType<typeof simulate>; cores: PersonaPmu[] } {
  const sim = simulate(NAME, { clock: 'manual' });
  const cores = corePmus(sim.kernel.persona);
  assert.equal(cores.length, 2, 'the persona declares two clusters');
  return { sim, cores };
}

/** The PMU the simulated kernel put an event on (its own perf_init_event), or the errno. */
function landsOn(k: SimKernel, attr: { type: number; config: bigint | number }, cpu: number): string | number {
  const r = k.perfEventOpen(encodeAttr({ ...attr, exclude_kernel: 1, exclude_hv: 1 }, { size: k.persona.attrSize }), cpu === -1 ? 0 : -1, cpu, -1, 0);
  if (isErr(r)) return r.errno;
  const pmu = k.event(r.fd)!.pmu;
  k.close(r.fd);
  return pmu;
}

describe(`${NAME}: one arm_pmu per cluster`, function () {
  this.timeout(120_000);

  it('the environment lists both cluster PMUs as core PMUs, each with its own type and cpus', () => {
    const { sim, cores } = setup();
    for (const c of cores) {
      const info = sim.environment.pmus.find((p) => p.name === c.name);
      assert.ok(info, `${c.name} is in the environment`);
      assert.equal(info.type, c.type);
      assert.equal(info.cpumask, c.cpus!.join(','));
      assert.equal(isCorePmu(info), true, `${c.name} is a core PMU`);
    }
    assert.notEqual(cores[0]!.type, cores[1]!.type);
  });

  it("the engine's map: both core PMUs in its environment, cycles supported", () => {
    const { sim, cores } = setup();
    const map = getCapabilities({ ...sim, cache: false });
    assert.deepEqual(map.environment.pmus.filter(isCorePmu).map((p) => p.name), cores.map((c) => c.name));
    assert.equal(map.features['event.hardware.cpu_cycles']?.status, 'supported', JSON.stringify(map.features['event.hardware.cpu_cycles']));
  });

  it('armpmu_event_init: an event bound to a CPU of the other cluster is ENOENT; a bare generic one walks to the PMU that serves the CPU', () => {
    const { sim, cores } = setup();
    const k = sim.kernel;
    const shift = BigInt(PERF_PMU_TYPE_SHIFT);
    for (const c of cores) {
      const own = c.cpus![0]!;
      const other = cores.find((x) => x !== c)!.cpus![0]!;
      const named = { type: PERF_TYPE.HARDWARE, config: (BigInt(c.type) << shift) | BigInt(CYCLES) };
      assert.equal(landsOn(k, named, own), c.name);
      assert.equal(landsOn(k, named, other), ERRNO.ENOENT);
      assert.equal(landsOn(k, { type: c.type, config: 0x11 }, other), ERRNO.ENOENT, 'its own type on the other cluster');
      assert.equal(landsOn(k, { type: PERF_TYPE.HARDWARE, config: CYCLES }, own), c.name, 'a bare generic event on one of its CPUs');
    }
  });

  it('armv8_cortex_a53/cycles/ and armv8_cortex_a72/cycles/ resolve to their own PMU', () => {
    const { sim, cores } = setup();
    const map = getCapabilities({ ...sim, cache: false });
    for (const c of cores) {
      const r = resolveEvent(`${c.name}/cycles/`, { capabilities: map });
      const ext = Number(BigInt(r.attr.config ?? 0) >> BigInt(PERF_PMU_TYPE_SHIFT));
      const type = Number(r.attr.type) === PERF_TYPE.HARDWARE || Number(r.attr.type) === PERF_TYPE.HW_CACHE ? ext : Number(r.attr.type);
      assert.equal(type, c.type, `${c.name}/cycles/: ${JSON.stringify(r.attr, (_, v) => typeof v === 'bigint' ? String(v) : v)}`);
      assert.equal(landsOn(sim.kernel, { type: Number(r.attr.type), config: BigInt(r.attr.config ?? 0) }, -1), c.name);
    }
  });

  it('combo.group_schedulability names the PMU it measured: the one a bare cycles task event lands on', () => {
    const { sim, cores } = setup();
    const map = getCapabilities({ ...sim, cache: false });
    const e = map.features['combo.group_schedulability']!;
    const where = landsOn(sim.kernel, { type: PERF_TYPE.HARDWARE, config: CYCLES }, -1);
    assert.equal(e.status, 'supported', JSON.stringify(e));
    assert.equal(e.measured?.pmu, where);
    assert.equal(e.value, cores.find((c) => c.name === where)!.counters);
  });

  it('two cluster-specific events never share a group', () => {
    const { sim, cores } = setup();
    const map = getCapabilities({ ...sim, cache: false });
    const set = new EventSet({ kernel: sim.kernel, capabilities: map });
    try {
      for (const c of cores) set.add(`${c.name}/cycles/`);
      assert.equal(set.groups.length, cores.length, JSON.stringify(set.splits));
      const pmus = set.groups.map((g) => new Set(g.map((name) => cores.find((c) => name.startsWith(c.name))?.name)));
      for (const s of pmus) assert.equal(s.size, 1);
      // The set's own rule keeps them apart (each core PMU its own context), not a refused open it recovered from.
      assert.ok(!set.splits.some((l) => /refused/.test(l)), JSON.stringify(set.splits));
    } finally { set.close(); }
    assert.equal(sim.kernel.openFdCount(), 0);
  });

  // Base today: EventSet opens a bare generic name once, where the kernel puts it (src/shim/core-pmu-parts.ts
  // perCorePmuParts is not used by EventSet yet). What holds either way: only core PMUs, at most one event each, a real count.
  it('an EventSet of cycles counts on core PMUs only, once per PMU, and reads a real count', () => {
    const { sim, cores } = setup();
    const map = getCapabilities({ ...sim, cache: false });
    const set = new EventSet({ kernel: sim.kernel, capabilities: map });
    try {
      set.add('cycles');
      const pmus = sim.kernel.openFds().map((fd) => sim.kernel.event(fd)!.pmu);
      assert.ok(pmus.length >= 1);
      for (const p of pmus) assert.ok(cores.some((c) => c.name === p), `${p} is a core PMU of the persona`);
      assert.equal(new Set(pmus).size, pmus.length, `no PMU twice: ${pmus.join(', ')}`);
      set.start();
      sim.kernel.work(1_000_000);
      const [v] = set.stop();
      assert.ok(v !== undefined && Number.isFinite(v) && v > 0, `cycles: ${v}`);
    } finally { set.close(); }
  });
});

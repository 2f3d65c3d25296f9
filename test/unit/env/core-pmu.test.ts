import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCorePmu, corePmus } from '../../../src/env/core-pmu';
import { readPmus } from '../../../src/env/pmus';
import { isCorePmuEvent, pmuContext } from '../../../src/shim/event-identity';
import { parseEventList, resolveEvent } from '../../../src/events';
import { PERF_TYPE, PERF_PMU_TYPE_SHIFT } from '../../../src/abi/constants';
import type { Environment, PmuInfo } from '../../../src/model/capability-map';
import { environment } from '../shim/shim-fixtures';

/** PMU names the kernel's CPU PMU drivers register, one family per row. */
const FAMILIES: ReadonlyArray<[family: string, names: string[]]> = [
  ['x86 (arch/x86/events/core.c) and riscv (drivers/perf/riscv_pmu_sbi.c, riscv_pmu_legacy.c)', ['cpu']],
  ['x86 hybrid', ['cpu_core', 'cpu_atom']],
  ['s390 counter facility', ['cpum_cf']],
  ['arm64 PMUv3 (drivers/perf/arm_pmuv3.c)', ['armv8_pmuv3', 'armv8_pmuv3_0', 'armv8_cortex_a53', 'armv9_neoverse_n2']],
  ['arm32 (arch/arm/kernel/perf_event_v6.c, perf_event_v7.c)', ['armv7_cortex_a15', 'armv6_1176']],
  ['arm_cortex_* (as before)', ['arm_cortex_a72']],
  ['Apple M1/M2 (drivers/perf/apple_m1_cpu_pmu.c)', ['apple_icestorm_pmu', 'apple_firestorm_pmu', 'apple_blizzard_pmu', 'apple_avalanche_pmu']],
];

const NOT_CORE = ['software', 'tracepoint', 'breakpoint', 'kprobe', 'uprobe', 'msr', 'power', 'uncore_imc_0', 'arm_spe_0', 'arm_cmn_0', 'apple_m1_pmu_uncore'];

function pmu(name: string, type: number, more: Partial<PmuInfo> = {}): PmuInfo {
  return { name, type, formats: { event: 'config:0-7' }, caps: {}, events: [], ...more };
}

function write(root: string, rel: string, text: string): void {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
}

describe('env/core-pmu: one core-PMU rule for env, events and shim', () => {
  for (const [family, names] of FAMILIES) {
    it(`counts the ${family} PMUs as core: ${names.join(', ')}`, () => {
      for (const name of names) assert.equal(isCorePmu({ name }), true, name);
      // The shim asks the same rule of the environment's list (no `core` mark needed).
      const env: Environment = environment({ pmus: names.map((n, i) => pmu(n, 20 + i)) });
      names.forEach((n, i) => {
        assert.equal(isCorePmuEvent(20 + i, env), true, n);
        assert.equal(pmuContext(20 + i, env), `core:${n}`, n);
      });
    });
  }

  it('does not count software, tracepoint, uncore, msr, SPE or CMN PMUs', () => {
    for (const name of NOT_CORE) assert.equal(isCorePmu({ name }), false, name);
    const env = environment({ pmus: NOT_CORE.map((n, i) => pmu(n, 30 + i)) });
    assert.deepEqual(corePmus(env.pmus), []);
    assert.equal(isCorePmuEvent(30 + NOT_CORE.indexOf('uncore_imc_0'), env), false);
  });

  it('counts a PMU with a sysfs cpus list (as perf does), and a PMU a description marked core', () => {
    assert.equal(isCorePmu({ name: 'cpu_lowpower', cpus: '8-9' }), true);
    assert.equal(isCorePmu({ name: 'some_vendor_pmu', core: true }), true);
  });

  it('readEnvironment marks Apple core PMUs core, and one with only a cpus file, by the same rule', () => {
    const sys = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcompat-core-pmu-'));
    try {
      const dev = 'bus/event_source/devices';
      write(sys, `${dev}/apple_icestorm_pmu/type`, '8\n');
      write(sys, `${dev}/apple_firestorm_pmu/type`, '9\n');
      write(sys, `${dev}/cpu_lowpower/type`, '11\n');
      write(sys, `${dev}/cpu_lowpower/cpus`, '8-9\n');
      write(sys, `${dev}/msr/type`, '12\n');
      const pmus = readPmus(sys);
      assert.deepEqual(pmus.filter((p) => p.core).map((p) => p.name), ['apple_firestorm_pmu', 'apple_icestorm_pmu', 'cpu_lowpower']);
      assert.equal(pmus.find((p) => p.name === 'msr')?.core, undefined);
    } finally {
      fs.rmSync(sys, { recursive: true, force: true });
    }
  });

  it('events map generic hardware events to the Apple core PMUs of an environment, one per PMU', () => {
    const env = environment({
      bootId: '00000000-0000-4000-8000-000000000001',
      pmus: [pmu('software', 1), pmu('apple_icestorm_pmu', 8, { cpumask: '0-3' }), pmu('apple_firestorm_pmu', 9, { cpumask: '4-7' })],
    });
    const groups = parseEventList('cycles', { environment: env });
    const shift = BigInt(PERF_PMU_TYPE_SHIFT);
    assert.deepEqual(groups.map((g) => [g[0]!.pmu, g[0]!.attr.type, g[0]!.attr.config]).sort(), [
      ['apple_firestorm_pmu', PERF_TYPE.HARDWARE, 9n << shift],
      ['apple_icestorm_pmu', PERF_TYPE.HARDWARE, 8n << shift],
    ]);
    // resolveEvent takes the boot CPU's core PMU: CPU 0 is in icestorm's list.
    assert.equal(resolveEvent('cycles', { environment: env }).pmu, 'apple_icestorm_pmu');
  });
});
